import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { IncidentQuery } from './incident-query.js';

describe(IncidentQuery.name, () => {
  class Query {
    @IncidentQuery()
    incident_id?: string;
  }
  const check = (plain: Record<string, unknown>) => {
    const query = plainToInstance(Query, plain);
    const messages = validateSync(query).flatMap((e) => Object.values(e.constraints ?? {}));
    return { incident_id: query.incident_id, messages };
  };

  it('accepts a UUID of any version and case, lower-cased', () => {
    expect(check({ incident_id: '0B7C4A4E-2F4D-4C1A-9A57-3F0F4A8D2B61' })).toEqual({
      incident_id: '0b7c4a4e-2f4d-4c1a-9a57-3f0f4a8d2b61',
      messages: [],
    });
    expect(check({ incident_id: '0b7c4a4e-2f4d-1c1a-0a57-3f0f4a8d2b61' }).messages).toEqual([]);
  });

  it('leaves an absent value alone', () => {
    expect(check({})).toEqual({ incident_id: undefined, messages: [] });
  });

  it.each([
    ['not-a-uuid'],
    [''],
    ['0b7c4a4e2f4d4c1a9a573f0f4a8d2b61'],
    ['0b7c4a4e-2f4d-4c1a-9a57-3f0f4a8d2b6'],
    ['{0b7c4a4e-2f4d-4c1a-9a57-3f0f4a8d2b61}'],
    [' 0b7c4a4e-2f4d-4c1a-9a57-3f0f4a8d2b61'],
    ['0b7c4a4e-2f4d-4c1a-9a57-3f0f4a8d2b6g'],
    [null],
    [42],
  ])('refuses %j, naming the parameter', (value) => {
    expect(check({ incident_id: value }).messages).toEqual(['incident_id must be a UUID']);
  });

  it('refuses the parameter given twice', () => {
    const id = '0b7c4a4e-2f4d-4c1a-9a57-3f0f4a8d2b61';
    expect(check({ incident_id: [id, id] }).messages).toEqual(['incident_id must be given once']);
  });
});
