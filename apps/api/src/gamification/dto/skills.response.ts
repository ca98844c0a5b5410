import { ApiProperty } from '@nestjs/swagger';

export class SkillMasteryResponse {
  @ApiProperty({ example: 2 }) level!: number;
  @ApiProperty({ example: 'Apprentice' }) name!: string;
  @ApiProperty({ example: 320, description: 'XP in the skill minus what this mastery level needs' }) xpIntoMastery!: number;
  @ApiProperty({ example: 1500, description: 'what the next mastery level needs minus what this one needed; 0 at the top level' }) xpForNextMastery!: number;
  @ApiProperty({ example: 'Practitioner', nullable: true, type: String, description: 'the next mastery level’s name (an addition to the contract); null at the top level' })
  nextName!: string | null;
}

export class SkillResponse {
  @ApiProperty({ example: 'graphs' }) code!: string;
  @ApiProperty({ example: 'Graphs' }) name!: string;
  @ApiProperty({ example: 'algorithms', nullable: true, type: String, description: 'null for a top-level skill' }) parent!: string | null;
  @ApiProperty({ example: 820, description: 'XP of the counted sessions of the skill and its subtree, each session once' }) xp!: number;
  @ApiProperty({ example: 7 }) sessions!: number;
  @ApiProperty({ example: 81.5, nullable: true, type: Number, description: 'mean score of its scored sessions, to one decimal; null without any' })
  averageScore!: number | null;
  @ApiProperty({ type: SkillMasteryResponse }) mastery!: SkillMasteryResponse;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'completedAt of its latest session; null if not practised' })
  lastPracticedAt!: string | null;
}

export class SkillsResponse {
  @ApiProperty({ type: [SkillResponse], description: 'every node of the skill tree, in the rules’ order, practised or not' }) skills!: SkillResponse[];
}
