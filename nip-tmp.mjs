import { MongoClient } from 'mongodb';
import fs from 'node:fs';
const c = await MongoClient.connect(process.argv[2]);
const o = await c.db().collection('officers').findOne({ name: 'Maya Latuconsina' });
console.log(o?.nip); await c.close();
