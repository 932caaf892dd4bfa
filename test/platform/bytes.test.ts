import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { useTestDatabase } from '../helpers/db.js';
import { seedDirectory, testApp } from '../helpers/app.js';

describe('Bytes on the wire: compressed answers and fingerprinted assets', () => {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
    await seedDirectory();
  });

  it('sends pages, JSON, CSS and scripts compressed to a browser that accepts gzip', async () => {
    const page = await request(app).get('/transparansi').set('Accept-Encoding', 'gzip').expect(200);
    expect(page.headers['content-encoding']).to.equal('gzip');
    const json = await request(app).get('/api/v1/units').set('Accept-Encoding', 'gzip').expect(200);
    expect(json.headers['content-encoding']).to.equal('gzip');
    for (const asset of ['/static/css/app.css', '/static/vendor/chart.umd.min.js']) {
      const response = await request(app).get(asset).set('Accept-Encoding', 'gzip').expect(200);
      expect(response.headers['content-encoding'], asset).to.equal('gzip');
    }
  });

  it('links the stylesheet by a content hash, which browsers keep for a year; a bare address only for minutes', async () => {
    const page = await request(app).get('/transparansi').expect(200);
    const href = /<link rel="stylesheet" href="(\/static\/css\/app\.css\?v=[\w-]{12})">/.exec(page.text)?.[1];
    expect(href, 'fingerprinted app.css in the layout').to.be.a('string');
    const fingerprinted = await request(app).get(href!).expect(200);
    expect(fingerprinted.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
    const bare = await request(app).get('/static/css/app.css').expect(200);
    expect(bare.headers['cache-control']).to.equal('public, max-age=300');
    const vendor = await request(app).get('/static/vendor/socket.io.min.js?v=x').expect(200);
    expect(vendor.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
  });
});
