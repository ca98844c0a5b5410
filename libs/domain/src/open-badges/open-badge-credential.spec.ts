import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { achievementOf, credentialJwtClaims, issuerProfile, openBadgeCredential, OpenBadgeIds } from './open-badge-credential';

/** The official Open Badges 3.0 AchievementCredential schema (draft 2019-09), as vendored. */
function officialSchema() {
  const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'open-badges', 'ob_v3p0_achievementcredential_schema.json'), 'utf8'));
  // The schema's two-item @context list trips Ajv's strict tuple check, which is a warning, not a rule of the standard.
  const ajv = new Ajv2019({ allErrors: true, strictTuples: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

describe('Open Badges 3.0 documents', () => {
  const ids = new OpenBadgeIds('https://gamification.example.com/engine/');
  const issuer = issuerProfile(ids, 'Interview Gym');
  const achievement = achievementOf(ids, issuer, {
    code: 'STREAK_7',
    name: 'Week Warrior',
    description: 'Practised seven days in a row',
    howToEarn: 'Practise 7 days in a row',
  }, 7);
  const credential = openBadgeCredential(issuer, {
    achievement,
    awardedAt: new Date('2026-11-25T17:30:12.345Z'),
    credentialId: 'urn:uuid:7a1c0e5e-3b2d-8f4a-9c1b-2d3e4f5a6b7c',
    subjectId: 'urn:uuid:0d8e4f3a-7c61-8b2e-8f59-6a1d2c3b4e5f',
  });
  const validate = officialSchema();

  it('puts every id under the public base URL, without doubling its slash', () => {
    expect(issuer).toEqual({ id: 'https://gamification.example.com/engine/ob/issuer', type: ['Profile'], name: 'Interview Gym', url: 'https://gamification.example.com/engine' });
    expect([achievement.id, achievement.version]).toEqual(['https://gamification.example.com/engine/ob/achievements/STREAK_7/versions/7', '7']);
    expect(ids.key('abc_-1')).toBe('https://gamification.example.com/engine/ob/keys/abc_-1');
  });

  it('shapes an earned badge as an OpenBadgeCredential that the official schema accepts', () => {
    expect(validate(credential)).toBe(true);
    expect(credential).toMatchObject({
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      name: 'Week Warrior',
      credentialSubject: {
        type: ['AchievementSubject'],
        achievement: { type: ['Achievement'], achievementType: 'Badge', criteria: { narrative: 'Practise 7 days in a row' }, creator: issuer },
      },
    });
  });

  it('starts the credential at the award, in whole seconds, so that a VC-JWT’s nbf can equal it', () => {
    expect(credential.validFrom).toBe('2026-11-25T17:30:12Z');
    expect(credential.awardedDate).toBe('2026-11-25T17:30:12Z');
    expect(credentialJwtClaims(credential)).toEqual({
      iss: 'https://gamification.example.com/engine/ob/issuer',
      jti: 'urn:uuid:7a1c0e5e-3b2d-8f4a-9c1b-2d3e4f5a6b7c',
      sub: 'urn:uuid:0d8e4f3a-7c61-8b2e-8f59-6a1d2c3b4e5f',
      nbf: Date.parse('2026-11-25T17:30:12Z') / 1000,
    });
  });

  it('is held to the schema: a credential without criteria, or in the VC 1.1 shape, is refused', () => {
    const { criteria: _criteria, ...withoutCriteria } = achievement;
    expect(validate({ ...credential, credentialSubject: { ...credential.credentialSubject, achievement: withoutCriteria } })).toBe(false);
    const { validFrom, ...rest } = credential;
    expect(validate({ ...rest, '@context': ['https://www.w3.org/2018/credentials/v1', credential['@context'][1]], issuanceDate: validFrom })).toBe(false);
  });
});
