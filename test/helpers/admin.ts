import request from 'supertest';
import type { Express } from 'express';
import { createUser } from '../../src/modules/accounts/service.js';
import type { Actor } from '../../src/platform/access.js';
import { PASSWORD, seedDirectory, signIn, testApp } from './app.js';

/**
 * What the admin-page specs share: the directory of app.ts with an admin for each agency (Jambi's from app.ts, and
 * Kota Ambon's added here), a signed-in agent per person, and the two ways a change is sent — JSON with the CSRF
 * header, or a no-JavaScript form post with the `_csrf` field — each in a chosen language.
 */

/** A signed-in person: their agent keeps the session cookie, `csrf` goes with every change. */
export interface Signed {
  agent: request.Agent;
  csrf: string;
}

export async function signedIn(app: Express, email: string): Promise<Signed> {
  const agent = request.agent(app);
  return { agent, csrf: await signIn(agent, email) };
}

/** The admin of Kota Ambon, the agency whose rows the Jambi admin must never see or change. */
export async function addAmbonAdmin(root: Actor): Promise<void> {
  await createUser(root, {
    email: 'admin.ambon@suara.test',
    name: 'Admin Ambon',
    password: PASSWORD,
    role: 'admin',
    unitCode: 'AMBON',
  });
}

/** The app, the seeded directory's platform administrator, both agencies' admins and a way to sign in as anyone. */
export async function adminWorld(app?: Express) {
  const ready = app ?? (await testApp());
  const { admin: root } = await seedDirectory();
  await addAmbonAdmin(root);
  return { app: ready, root, as: (email: string) => signedIn(ready, email) };
}

/** A JSON change: POST, PATCH, PUT or DELETE with the CSRF header, in the given language. */
export const send = (
  who: Signed,
  method: 'post' | 'patch' | 'put' | 'delete',
  url: string,
  body: object,
  lang = 'id',
) => who.agent[method](url).set('X-CSRF-Token', who.csrf).set('Accept-Language', lang).send(body);

/** A page form's post, as a browser without JavaScript sends it. */
export const postForm = (who: Signed, url: string, body: Record<string, unknown>, lang = 'id') =>
  who.agent
    .post(url)
    .type('form')
    .set('Accept-Language', lang)
    .send({ _csrf: who.csrf, ...body });
