// The `ip` pivot of the alert and event lists: one address or one network (CIDR), matched against
// both `src_ip` and `dst_ip`. Strict on purpose: a typo must be a 400, not an empty list.
import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IfPresent } from '../../common/validation/if-present.js';
import { QueryRule } from '../../common/validation/query-fields.js';
import { parseCidr } from '../../enrichment/ip-address.js';

/** The longest IPv6 text (45 characters with an IPv4 tail) and a prefix length. */
const MAX_LENGTH = 49;
/** Hex digits, dots, colons and one slash: no spaces, zone ids (`%eth0`) or brackets. */
const CHARACTERS = /^[0-9A-Fa-f.:]+(\/(0|[1-9][0-9]{0,2}))?$/;

export type IpFilterResult = { ok: true; network: string } | { ok: false; reason: string };

/**
 * `text` as the network the filter matches, canonical (`10.0.0.0/8`, `185.220.101.34/32`,
 * `2001:db8::/32`); a single address is the network of that one address. Refused: anything
 * PostgreSQL's `cidr` would refuse (host bits set right of the prefix: the reason names the
 * network meant), abbreviated networks (`10/8`), a prefix with a leading zero, zone ids and
 * surrounding spaces.
 */
export function parseIpFilter(text: string): IpFilterResult {
  if (text.length > MAX_LENGTH || !CHARACTERS.test(text))
    return { ok: false, reason: 'must be an IPv4 or IPv6 address or network (CIDR)' };
  const cidr = parseCidr(text);
  return cidr.ok ? { ok: true, network: cidr.network } : cidr;
}

/**
 * The `ip` query parameter of the list of `rows` (alerts, events): its value becomes the canonical
 * network (parseIpFilter).
 */
export function IpQuery(rows: 'alerts' | 'events') {
  return applyDecorators(
    ApiPropertyOptional({
      type: String,
      maxLength: MAX_LENGTH,
      example: '10.0.0.0/8',
      description:
        'An IPv4 or IPv6 address (`185.220.101.34`) or network in CIDR notation (`10.0.0.0/8`, ' +
        `\`2001:db8::/32\`): ${rows} whose \`src_ip\` or \`dst_ip\` is that address or inside ` +
        'that network. A network must have its host bits clear (`10.1.0.0/8` is refused, naming ' +
        '`10.0.0.0/8`). IPv4 and IPv6 are separate: `10.0.0.0/8` does not match `::ffff:10.0.0.1`.',
    }),
    Transform(({ value }: { value: unknown }) => {
      if (typeof value !== 'string') return value;
      const parsed = parseIpFilter(value);
      return parsed.ok ? parsed.network : value;
    }),
    IfPresent(),
    QueryRule('ipQuery', (value, property) => {
      if (Array.isArray(value)) return `${property} must be given once`;
      if (typeof value !== 'string') return `${property} must be a string`;
      const parsed = parseIpFilter(value);
      return parsed.ok ? null : `${property} ${parsed.reason}`;
    }),
  );
}
