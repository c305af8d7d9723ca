// Where the mock's Tor exit addresses come from: the service's shipped snapshot
// (src/enrichment/tor/tor-exit-snapshot.txt, one IPv4 per line) when it exists, so that the
// enrichment has hits against exactly the list it loads; otherwise a small embedded list of
// long-running exit relays (Zwiebelfreunde/artikel10, Quintex, Nothing to hide, DFRI, Applied
// Privacy, Emerald Onion, Calyx).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const EMBEDDED_TOR_EXITS: readonly string[] = [
  '185.220.100.240',
  '185.220.100.241',
  '185.220.100.242',
  '185.220.100.243',
  '185.220.100.252',
  '185.220.100.253',
  '185.220.100.254',
  '185.220.100.255',
  '185.220.101.1',
  '185.220.101.2',
  '185.220.101.3',
  '185.220.101.4',
  '185.220.101.5',
  '185.220.101.6',
  '185.220.101.7',
  '185.220.101.8',
  '185.220.101.33',
  '185.220.101.34',
  '185.220.101.35',
  '185.220.101.36',
  '185.220.102.4',
  '185.220.102.6',
  '185.220.102.7',
  '185.220.102.8',
  '199.249.230.64',
  '199.249.230.65',
  '199.249.230.66',
  '199.249.230.67',
  '199.249.230.68',
  '199.249.230.69',
  '192.42.116.16',
  '192.42.116.17',
  '192.42.116.18',
  '192.42.116.19',
  '192.42.116.20',
  '171.25.193.20',
  '171.25.193.25',
  '171.25.193.77',
  '171.25.193.78',
  '171.25.193.79',
  '171.25.193.80',
  '109.70.100.1',
  '109.70.100.2',
  '109.70.100.3',
  '109.70.100.4',
  '23.129.64.130',
  '23.129.64.131',
  '23.129.64.132',
  '162.247.74.7',
  '162.247.74.27',
  '162.247.74.74',
  '162.247.74.200',
];

export interface TorExits {
  addresses: readonly string[];
  /** `snapshot` when read from the file, `embedded` when the file was missing, empty or unreadable. */
  origin: 'snapshot' | 'embedded';
  path: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The IPv4 addresses of a bulk exit list (comments, blanks, IPv6 and junk skipped), deduplicated. */
export function parseTorExitList(text: string): string[] {
  const seen = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line && !line.startsWith('#') && IPV4.test(line)) seen.add(line);
  }
  return [...seen];
}

/** The repository root, whether this file runs from mock-api/ or compiled from dist/mock-api/. */
function repositoryRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('/dist')) {
    if (dirname(dir) === dir) return process.cwd();
    dir = dirname(dir);
  }
  return dir;
}

export const TOR_SNAPSHOT_PATH = join(
  repositoryRoot(),
  'src',
  'enrichment',
  'tor',
  'tor-exit-snapshot.txt',
);

/** Reads the snapshot once; falls back to the embedded list rather than failing start-up. */
export function loadTorExits(path = TOR_SNAPSHOT_PATH): TorExits {
  try {
    const addresses = parseTorExitList(readFileSync(path, 'utf8'));
    if (addresses.length > 0) return { addresses, origin: 'snapshot', path };
  } catch {
    // Missing or unreadable (a helper may not have written it yet): the embedded list will do.
  }
  return { addresses: EMBEDDED_TOR_EXITS, origin: 'embedded', path };
}
