import { ValidateIf } from 'class-validator';

/** Validate only when the field was sent: absent is left alone, an explicit null is checked. */
export const IfPresent = () => ValidateIf((_, value: unknown) => value !== undefined);
