import { Module } from '@nestjs/common';
import { ApplicationModule } from '@app/application';
import { ConfigModule } from '@app/config';

/** What the rules command needs: the validated settings, the rules in force and the use cases on the database. */
@Module({
  imports: [ConfigModule.forRoot({ role: 'operator' }), ApplicationModule],
})
export class CliModule {}
