import { Module } from '@nestjs/common';
import { BatchConsumerFactory } from './kafka/batch-consumer';
import { DeadLetterPublisher } from './kafka/dead-letter.publisher';
import { EventPublisher } from './kafka/event-publisher';
import { kafkaProvider } from './kafka/kafka.provider';
import { TopicAdmin } from './kafka/topic-admin';

@Module({
  providers: [kafkaProvider, BatchConsumerFactory, EventPublisher, DeadLetterPublisher, TopicAdmin],
  exports: [BatchConsumerFactory, EventPublisher, DeadLetterPublisher, TopicAdmin],
})
export class MessagingModule {}
