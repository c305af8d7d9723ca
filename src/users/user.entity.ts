import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const GROUPS = ['admin', 'analyst'] as const;
export type Group = (typeof GROUPS)[number];

@Entity({ name: 'users' })
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 64 })
  username: string;

  @Column({ name: 'password_hash', type: 'text', select: false })
  passwordHash: string;

  @Column({ type: 'text', array: true })
  groups: Group[];

  @Column({ name: 'is_active', type: 'boolean' })
  isActive: boolean;

  /** Bumped on deactivation and password change: tokens carrying an older value stop working. */
  @Column({ name: 'token_version', type: 'integer' })
  tokenVersion: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
