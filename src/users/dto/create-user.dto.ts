import type { Group } from '../user.js';
import { GroupsField, PasswordField, UsernameField } from './user-fields.js';

export class CreateUserDto {
  @UsernameField()
  username: string;

  @PasswordField()
  password: string;

  @GroupsField()
  groups: Group[];
}
