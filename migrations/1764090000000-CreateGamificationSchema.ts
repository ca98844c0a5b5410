import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateGamificationSchema1764090000000 implements MigrationInterface {
  name = 'CreateGamificationSchema1764090000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE user_profiles (
        user_id            varchar(128)     PRIMARY KEY,
        total_xp           integer          NOT NULL DEFAULT 0 CHECK (total_xp >= 0),
        level              integer          NOT NULL DEFAULT 1 CHECK (level >= 1),
        sessions_completed integer          NOT NULL DEFAULT 0,
        best_score         double precision NULL,
        current_streak     integer          NOT NULL DEFAULT 0,
        longest_streak     integer          NOT NULL DEFAULT 0,
        last_practice_date date             NULL,
        timezone           varchar(64)      NULL,
        created_at         timestamptz      NOT NULL DEFAULT now(),
        updated_at         timestamptz      NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE practice_days (
        user_id       varchar(128) NOT NULL,
        practice_date date         NOT NULL,
        PRIMARY KEY (user_id, practice_date)
      )`);
    await queryRunner.query(`
      CREATE TABLE user_badges (
        user_id           varchar(128) NOT NULL,
        badge_code        varchar(64)  NOT NULL,
        badge_name        varchar(200) NOT NULL,
        badge_description text         NOT NULL,
        awarded_at        timestamptz  NOT NULL,
        source_event_id   varchar(200) NOT NULL,
        PRIMARY KEY (user_id, badge_code)
      )`);
    await queryRunner.query(`
      CREATE TABLE daily_challenges (
        id             uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id        varchar(128) NOT NULL,
        challenge_date date         NOT NULL,
        type           varchar(32)  NOT NULL,
        description    text         NOT NULL,
        target         integer      NOT NULL CHECK (target > 0),
        xp_reward      integer      NOT NULL CHECK (xp_reward >= 0),
        min_score      integer      NULL,
        progress       integer      NOT NULL DEFAULT 0 CHECK (progress >= 0),
        completed_at   timestamptz  NULL,
        claimed_at     timestamptz  NULL,
        expires_at     timestamptz  NOT NULL,
        created_at     timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT daily_challenges_one_per_type_and_day UNIQUE (user_id, challenge_date, type)
      )`);
    await queryRunner.query(`
      CREATE TABLE processed_events (
        event_id      varchar(128) PRIMARY KEY,
        user_id       varchar(128) NOT NULL,
        session_id    varchar(128) NOT NULL,
        source        varchar(16)  NOT NULL,
        outcome       varchar(16)  NULL,
        xp_awarded    integer      NOT NULL DEFAULT 0,
        practice_date date         NULL,
        processed_at  timestamptz  NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX processed_events_user ON processed_events (user_id)`);
    await queryRunner.query(`
      CREATE TABLE outbox_messages (
        id          bigserial    PRIMARY KEY,
        event_id    uuid         NOT NULL UNIQUE,
        topic       varchar(249) NOT NULL,
        message_key varchar(128) NOT NULL,
        payload     json         NOT NULL,
        created_at  timestamptz  NOT NULL DEFAULT now(),
        sent_at     timestamptz  NULL
      )`);
    await queryRunner.query(`CREATE INDEX outbox_messages_unsent ON outbox_messages (id) WHERE sent_at IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE outbox_messages`);
    await queryRunner.query(`DROP TABLE processed_events`);
    await queryRunner.query(`DROP TABLE daily_challenges`);
    await queryRunner.query(`DROP TABLE user_badges`);
    await queryRunner.query(`DROP TABLE practice_days`);
    await queryRunner.query(`DROP TABLE user_profiles`);
  }
}
