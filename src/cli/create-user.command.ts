import { validate } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Database } from '../database/database.js';
import { ConflictError } from '../common/problem/domain-error.js';
import { CreateUserDto } from '../users/dto/create-user.dto.js';
import { PasswordHasher } from '../users/password-hasher.js';
import { UsersRepository } from '../users/users.repository.js';

export async function createUser(
  db: Database,
  positionals: string[],
  groups: string[],
  passwordFromStdin: boolean,
): Promise<number> {
  if (positionals.length !== 1) {
    process.stderr.write('create-user takes exactly one username\n');
    return 2;
  }
  const password = passwordFromStdin ? await readStdin() : await askHidden('Password: ');
  const dto = plainToInstance(CreateUserDto, { username: positionals[0], password, groups });
  const errors = await validate(dto);
  if (errors.length > 0) {
    for (const e of errors)
      process.stderr.write(`${Object.values(e.constraints ?? {}).join('; ')}\n`);
    return 2;
  }
  const users = new UsersRepository(db);
  try {
    const user = await users.insert({
      username: dto.username.toLowerCase(),
      passwordHash: await new PasswordHasher().hash(dto.password),
      groups: [...new Set(dto.groups)].sort(),
    });
    process.stdout.write(
      `Created user ${user.username} (${user.groups.join(', ')}) id ${user.id}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ConflictError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

async function readStdin(): Promise<string> {
  let data = '';
  for await (const chunk of process.stdin) data += String(chunk);
  return data.replace(/\r?\n$/, '');
}

function askHidden(prompt: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(prompt, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}
