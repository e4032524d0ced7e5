import { describe, expect, it } from '@jest/globals';
import { agreementNumberFromQr, agreementQrPayload, isVerifyCode, parseAgreementNumber, verifyCode } from './agreement-number.js';
import { hubungan, kelengkapan, tanggal, waktu, wibDate } from './indonesian.js';

describe('agreement numbers', () => {
  it('accepts what issuing makes, typed in any case, and nothing else', () => {
    expect(parseAgreementNumber('MDN-2027-000123')).toBe('MDN-2027-000123');
    expect(parseAgreementNumber(' mdn-2027-1234567 ')).toBe('MDN-2027-1234567');
    for (const bad of ['', 'MDN', 'M-2027-000123', 'MEDANKOTA-2027-000123', 'MDN-27-000123', 'MDN-2027-00012', `MDN-2027-${'9'.repeat(20)}`, 'MDN-2027-000123/../x']) {
      expect(parseAgreementNumber(bad)).toBeNull();
    }
  });

  it('puts the number in the verification URL and reads it back from a scan', () => {
    const secret = 'a-verify-link-secret-of-32-characters!!';
    const payload = agreementQrPayload('https://kota.example.go.id/laptop/', 'MDN-2027-000123', secret);
    expect(payload).toBe(`https://kota.example.go.id/laptop/api/v1/agreements/MDN-2027-000123/verify?c=${verifyCode(secret, 'MDN-2027-000123')}`);
    expect(verifyCode(secret, 'MDN-2027-000123')).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(verifyCode(secret, 'MDN-2027-000124')).not.toBe(verifyCode(secret, 'MDN-2027-000123'));
    expect(isVerifyCode(secret, 'MDN-2027-000123', verifyCode(secret, 'MDN-2027-000123'))).toBe(true);
    expect(isVerifyCode(secret, 'MDN-2027-000124', verifyCode(secret, 'MDN-2027-000123'))).toBe(false);
    expect(isVerifyCode(`${secret}x`, 'MDN-2027-000123', verifyCode(secret, 'MDN-2027-000123'))).toBe(false);
    expect(isVerifyCode(secret, 'MDN-2027-000123', undefined)).toBe(false);
    expect(agreementNumberFromQr(payload)).toBe('MDN-2027-000123');
    expect(agreementNumberFromQr('https://example.com/something-else')).toBeNull();
    expect(agreementNumberFromQr('https://x.example/api/v1/agreements/garbage/verify')).toBeNull();
  });
});

describe('Indonesian wording', () => {
  it('writes dates and WIB times the Indonesian way', () => {
    expect(tanggal('2027-06-30')).toBe('30 Juni 2027');
    // 17:30 UTC is already the next day in Jakarta.
    expect(wibDate(new Date('2027-01-19T17:30:00Z'))).toBe('2027-01-20');
    expect(waktu(new Date('2027-01-20T02:05:00Z'))).toBe('20 Januari 2027 pukul 09.05 WIB');
  });

  it('names relations and kit items, spelling out ones it does not know', () => {
    expect(hubungan('mother')).toBe('Ibu');
    expect(hubungan('Paman')).toBe('Paman');
    expect(kelengkapan('charger')).toBe('Pengisi daya (charger)');
    expect(kelengkapan('usb_c_hub')).toBe('Usb c hub');
  });
});
