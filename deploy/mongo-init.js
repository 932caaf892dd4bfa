// Run by compose.yaml's `mongo-init` (mongosh, signed in as root): the replica set and Suara's database user, each
// only when missing, then waits until this node is primary. The user and password come from the same
// secrets/mongodb_uri the apps connect with, so the two cannot disagree.
/* global db, rs, print, quit, sleep -- mongosh's shell globals */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- mongosh scripts are CommonJS
const fs = require('fs');

const uri = fs.readFileSync('/run/secrets/mongodb_uri', 'utf8').trim();
const match = /^mongodb:\/\/([^:@/]+):([^@/]+)@[^/]+\/([^?]+)/.exec(uri);
if (!match) {
  print('secrets/mongodb_uri must look like mongodb://user:password@mongo:27017/suara?replicaSet=rs0&authSource=suara');
  quit(1);
}
const [, user, password, dbName] = match.map((part) => decodeURIComponent(part));

try {
  rs.status();
} catch (error) {
  if (error.codeName !== 'NotYetInitialized') throw error;
  rs.initiate({ _id: 'rs0', members: [{ _id: 0, host: 'mongo:27017' }] });
  print('replica set rs0 initiated');
}

for (let tries = 0; !db.hello().isWritablePrimary; tries++) {
  if (tries > 60) {
    print('this node did not become primary within 60 s');
    quit(1);
  }
  sleep(1000);
}

const suara = db.getSiblingDB(dbName);
if (!suara.getUser(user)) {
  suara.createUser({ user, pwd: password, roles: [{ role: 'readWrite', db: dbName }] });
  print(`user ${user} created on ${dbName}`);
}
