import { Module } from '@nestjs/common';
import { DeadLetterPublisher } from './kafka/dead-letter.publisher';
import { EventPublisher } from './kafka/event-publisher';
import { kafkaProvider, KAFKA } from './kafka/kafka.provider';
import { TopicAdmin } from './kafka/topic-admin';

@Module({
  providers: [kafkaProvider, EventPublisher, DeadLetterPublisher, TopicAdmin],
  exports: [KAFKA, EventPublisher, DeadLetterPublisher, TopicAdmin],
})
export class MessagingModule {}
