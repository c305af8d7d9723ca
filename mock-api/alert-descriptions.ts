// What a SOC analyst would read in each source's alerts. Each template draws its details from
// the alert's own generator, so a description is as reproducible as the rest of the alert.
import { Draw } from './prng.js';

export interface DescriptionContext {
  draw: Draw;
  src?: string;
  dst?: string;
}

type Template = (c: DescriptionContext) => string;

const USERS = [
  'a.kowalski',
  'j.smith',
  'm.garcia',
  'svc-backup',
  'svc-jenkins',
  'l.chen',
  'p.okafor',
  'r.novak',
  'admin',
  'k.tanaka',
  'e.muller',
  'h.dubois',
];
const HOSTS = ['WS-FIN-014', 'WS-HR-003', 'LT-DEV-221', 'SRV-DB-02', 'SRV-FILE-01', 'LT-EXEC-007'];
const PORTS = [22, 23, 445, 1433, 3306, 3389, 4444, 5900, 6667, 8080, 8443, 9001];
const MALWARE = ['Emotet', 'QakBot', 'AgentTesla', 'Cobalt Strike beacon', 'IcedID', 'AsyncRAT'];
const CVES = [
  'CVE-2021-44228',
  'CVE-2023-4966',
  'CVE-2024-3400',
  'CVE-2023-34362',
  'CVE-2022-1388',
];
const COUNTRIES = ['RU', 'CN', 'KP', 'IR', 'BR', 'NG', 'VN', 'RO'];
const PATHS = ['/login', '/api/v1/users', '/wp-login.php', '/admin/config', '/search', '/checkout'];
const DOMAINS = [
  'cdn-update-check.top',
  'login-microsoftonline.support',
  'files-share.xyz',
  'paste.ee',
  'dropboxusercontent.click',
  'secure-docs-view.online',
];

const src = (c: DescriptionContext) => c.src ?? 'an unrecorded address';
const dst = (c: DescriptionContext) => c.dst ?? 'an unrecorded address';
const user = (c: DescriptionContext) => c.draw.pick(USERS);
const port = (c: DescriptionContext) => c.draw.pick(PORTS);

const TEMPLATES: Record<string, readonly Template[]> = {
  firewall: [
    (c) =>
      `Outbound connection from ${src(c)} to ${dst(c)}:${port(c)}/tcp denied by rule ${c.draw.int(100, 499)} (egress-default-deny)`,
    (c) =>
      `Port scan detected: ${dst(c)} probed ${c.draw.int(40, 900)} ports on ${src(c)} within 60 s`,
    (c) =>
      `Repeated blocked SMB traffic from ${src(c)} to ${dst(c)}:445 (${c.draw.int(20, 400)} attempts in 5 min)`,
    (c) =>
      `Inbound RDP attempts from ${dst(c)} to ${src(c)}:3389 dropped; source flagged by threat intel`,
  ],
  ngfw: [
    (c) =>
      `Threat prevention: ${c.draw.pick(MALWARE)} C2 traffic detected from ${src(c)} to ${dst(c)} (session reset)`,
    (c) =>
      `Application control blocked ${c.draw.pick(['TeamViewer', 'AnyDesk', 'BitTorrent', 'Tor browser'])} session from ${src(c)}`,
    (c) =>
      `DNS tunnelling suspected: ${src(c)} sent ${c.draw.int(300, 5000)} TXT queries to ${c.draw.pick(DOMAINS)} in 10 min`,
    (c) =>
      `TLS session from ${src(c)} to ${dst(c)} uses a JA3 fingerprint associated with ${c.draw.pick(MALWARE)}`,
  ],
  ips: [
    (c) =>
      `Exploit attempt for ${c.draw.pick(CVES)} from ${dst(c)} against ${src(c)} (signature ${c.draw.int(2_000_000, 2_049_999)})`,
    (c) =>
      `ET POLICY outbound SSH on non-standard port ${c.draw.int(1025, 65000)} from ${src(c)} to ${dst(c)}`,
    (c) => `ET SCAN Nmap OS detection probe from ${dst(c)} to ${src(c)}`,
    (c) => `Shellcode pattern detected in HTTP response from ${dst(c)} to ${src(c)}; flow dropped`,
  ],
  vpn_gateway: [
    (c) =>
      `${c.draw.int(12, 80)} failed VPN logins for ${user(c)} from ${dst(c)} in 10 min (possible password spraying)`,
    (c) =>
      `Impossible travel: ${user(c)} connected from ${c.draw.pick(COUNTRIES)} ${c.draw.int(20, 55)} min after a session from the office`,
    (c) =>
      `VPN session for ${user(c)} assigned ${src(c)} from an unmanaged device (no client certificate)`,
    (c) =>
      `MFA push fatigue: ${c.draw.int(6, 30)} denied pushes for ${user(c)} followed by an approval from ${dst(c)}`,
  ],
  router_acl: [
    (c) =>
      `ACL OUTSIDE-IN denied tcp ${dst(c)} -> ${src(c)}:${port(c)} (${c.draw.int(50, 3000)} hits in 1 min)`,
    (c) => `ACL MGMT-ONLY denied SSH to router from ${src(c)} (not in management subnet)`,
    (c) =>
      `Packet with spoofed RFC 1918 source received on internet-facing interface Gi0/${c.draw.int(0, 3)}, ${c.draw.int(10, 900)} drops in 1 min`,
  ],
  waf: [
    (c) =>
      `SQL injection attempt blocked on ${c.draw.pick(PATHS)} from ${dst(c)} (CRS rule 942100, anomaly score ${c.draw.int(5, 40)})`,
    (c) => `Reflected XSS payload in query string of ${c.draw.pick(PATHS)} from ${dst(c)} blocked`,
    (c) => `Path traversal attempt (../../etc/passwd) from ${dst(c)} against ${c.draw.pick(PATHS)}`,
    (c) => `Log4Shell JNDI lookup string in User-Agent from ${dst(c)} (${CVES[0]})`,
  ],
  swg: [
    (c) =>
      `${user(c)} on ${src(c)} downloaded ${c.draw.pick(MALWARE)} payload from ${c.draw.pick(DOMAINS)}; file quarantined`,
    (c) =>
      `Access to newly registered domain ${c.draw.pick(DOMAINS)} by ${user(c)} blocked (category: phishing)`,
    (c) =>
      `Large upload (${c.draw.int(200, 4000)} MB) by ${user(c)} to personal cloud storage from ${src(c)}`,
    (c) => `Credential form submitted by ${user(c)} to look-alike domain ${c.draw.pick(DOMAINS)}`,
  ],
  nac: [
    (c) =>
      `Unknown device ${macAddress(c.draw)} connected to switch port Gi1/0/${c.draw.int(1, 48)}, got ${src(c)}`,
    (c) =>
      `Posture check failed for ${c.draw.pick(HOSTS)} (${src(c)}): EDR agent not running; moved to quarantine VLAN`,
    (c) => `MAC address ${macAddress(c.draw)} seen on two switch ports at once (possible spoofing)`,
    (c) =>
      `802.1X authentication failed ${c.draw.int(5, 60)} times for ${c.draw.pick(HOSTS)} at ${src(c)}`,
  ],
  api_gateway: [
    (c) =>
      `API key for partner-${c.draw.int(10, 99)} exceeded rate limit ${c.draw.int(5, 40)}x from ${dst(c)}`,
    (c) =>
      `JWT with invalid signature presented to ${c.draw.pick(PATHS)} from ${dst(c)} (${c.draw.int(10, 500)} requests)`,
    (c) =>
      `Enumeration of /api/v1/users/{id}: ${c.draw.int(500, 20000)} sequential ids requested by ${dst(c)}`,
    (c) => `Token for ${user(c)} used from ${dst(c)} after logout (possible session hijack)`,
  ],
  load_balancer: [
    (c) =>
      `Slowloris pattern: ${c.draw.int(200, 3000)} half-open connections from ${dst(c)} on vip-web-${c.draw.int(1, 4)}`,
    (c) =>
      `HTTP 5xx rate on pool app-${c.draw.int(1, 6)} at ${c.draw.int(15, 80)}% while ${dst(c)} sends malformed requests`,
    (c) =>
      `SYN flood against vip-api-${c.draw.int(1, 3)}: ${c.draw.int(20, 400)}k packets/s, top source ${dst(c)}`,
    (c) =>
      `TLS renegotiation storm from ${dst(c)} on vip-web-${c.draw.int(1, 4)}; client throttled`,
  ],
};

function macAddress(draw: Draw): string {
  const octets: string[] = [];
  for (let i = 0; i < 6; i++) octets.push(draw.int(0, 255).toString(16).padStart(2, '0'));
  return octets.join(':');
}

/** A description for an alert of `source`, drawn from the alert's generator. */
export function describeAlert(source: string, context: DescriptionContext): string {
  return context.draw.pick(TEMPLATES[source])(context);
}
