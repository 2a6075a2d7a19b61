/** Refresh-token rotation and reuse detection. */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { expectProblem, testApp } from '../helpers.ts';

interface Pair {
  accessToken: string;
  refreshToken: string;
}

describe('refresh tokens', () => {
  it('rotate on use: the new one works, the old one is refused', async () => {
    const { app } = testApp();
    const first = (await request(app).post('/api/auth/tokens').send({ username: 'alice', password: 'wonderland' })).body as Pair;
    const second = await request(app).post('/api/auth/tokens/refresh').send({ refreshToken: first.refreshToken });
    expect(second.status).toBe(200);
    const pair = second.body as Pair;
    expect(pair.refreshToken).not.toBe(first.refreshToken);
    expect((await request(app).get('/api/stateless/me').set('Authorization', `Bearer ${pair.accessToken}`)).status).toBe(200);
    expect((await request(app).post('/api/auth/tokens/refresh').send({ refreshToken: pair.refreshToken })).status).toBe(200);
    expectProblem(await request(app).post('/api/auth/tokens/refresh').send({ refreshToken: first.refreshToken }), 401, 'REFRESH_TOKEN_REUSED');
  });

  it('reusing a rotated token revokes its whole family, and only that family', async () => {
    const { app } = testApp();
    const stolen = (await request(app).post('/api/auth/tokens').send({ username: 'alice', password: 'wonderland' })).body as Pair;
    const otherDevice = (await request(app).post('/api/auth/tokens').send({ username: 'alice', password: 'wonderland' })).body as Pair;
    const legit = (await request(app).post('/api/auth/tokens/refresh').send({ refreshToken: stolen.refreshToken })).body as Pair;

    expectProblem(await request(app).post('/api/auth/tokens/refresh').send({ refreshToken: stolen.refreshToken }), 401, 'REFRESH_TOKEN_REUSED');
    // The legitimate holder's newer token is now revoked too…
    expectProblem(await request(app).post('/api/auth/tokens/refresh').send({ refreshToken: legit.refreshToken }), 401, 'REFRESH_TOKEN_INVALID');
    // …while a separate sign-in is untouched.
    expect((await request(app).post('/api/auth/tokens/refresh').send({ refreshToken: otherDevice.refreshToken })).status).toBe(200);
  });

  it('an unknown or expired refresh token is refused', async () => {
    let now = Date.now();
    const { app } = testApp({ REFRESH_TOKEN_TTL_SECONDS: '60' }, { now: () => now });
    expectProblem(await request(app).post('/api/auth/tokens/refresh').send({ refreshToken: 'rt_made_up' }), 401, 'REFRESH_TOKEN_INVALID');
    const pair = (await request(app).post('/api/auth/tokens').send({ username: 'bob', password: 'builder' })).body as Pair;
    now += 61_000;
    expectProblem(await request(app).post('/api/auth/tokens/refresh').send({ refreshToken: pair.refreshToken }), 401, 'REFRESH_TOKEN_INVALID');
  });
});
