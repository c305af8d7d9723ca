// Severity is the vocabulary every feature speaks (upstream alerts, events, asset criticality,
// the alert store), so it lives here rather than in any one of them: a feature importing another
// feature only to name a severity would tie the two together.

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
