/** Strings of the API reference page. Bahasa Indonesia first; English must have every key (the type checks it). */
const id = {
  'developers.title': 'Referensi API',
  'developers.lead':
    'API JSON Suara untuk sistem lain: setiap operasi di bawah /api/v1, dengan parameter, isi permintaan dan jawabannya. Ringkasan operasi ditulis dalam bahasa Inggris.',
  'developers.document': 'Dokumen OpenAPI 3.1 (JSON, untuk alat pembuat klien):',
  'developers.auth.title': 'Autentikasi',
  'developers.auth.token':
    'Buat token API di halaman Token API akun Anda, lalu kirim di setiap permintaan: Authorization: Bearer <rahasia>. Token bertindak dengan satu peran pemiliknya dan tidak memerlukan token CSRF.',
  'developers.auth.cookie':
    'Peramban yang masuk memakai cookie sesi; permintaan yang mengubah data juga mengirim header X-CSRF-Token.',
  'developers.errors.title': 'Kesalahan',
  'developers.errors.text':
    'Setiap kesalahan berbentuk { "error": { "code", "message", "fields" } }; pesan mengikuti bahasa permintaan (?lang=id atau en, atau Accept-Language). Kode dan status HTTP:',
  'developers.idempotency':
    'Pengiriman pengaduan dan survei menerima header Idempotency-Key: permintaan ulang dengan kunci yang sama menjawab dengan hasil pertama.',
  'developers.contents': 'Modul',
  'developers.operations': '{count} operasi',
  'developers.signed_in': 'Perlu masuk (sesi atau token API)',
  'developers.public': 'Publik, tanpa masuk',
  'developers.parameters': 'Parameter',
  'developers.body': 'Isi permintaan',
  'developers.responses': 'Jawaban',
  'developers.example': 'Contoh',
  'developers.name': 'Nama',
  'developers.in': 'Letak',
  'developers.type': 'Jenis dan batas',
  'developers.required': 'Wajib',
  'developers.optional': 'Opsional',
  'developers.required_when': 'Wajib bila {condition}',
  'developers.status': 'Status',
  'developers.meaning': 'Arti',
  'developers.media': 'Format',
  'developers.schema.one_of': 'salah satu dari: {values}',
  'developers.schema.may_be_empty': 'boleh kosong',
  'developers.schema.array_of': 'daftar {item}',
  'developers.schema.chars': 'karakter',
  'developers.schema.items': 'butir',
  'developers.schema.pattern': 'pola {pattern}',
  'developers.schema.default': 'bawaan {value}',
};

const en: Record<keyof typeof id, string> = {
  'developers.title': 'API reference',
  'developers.lead':
    'Suara’s JSON API for other systems: every operation under /api/v1, with its parameters, request body and answers.',
  'developers.document': 'The OpenAPI 3.1 document (JSON, for client generators):',
  'developers.auth.title': 'Authentication',
  'developers.auth.token':
    'Make an API token on your account’s API tokens page and send it with every request: Authorization: Bearer <secret>. A token acts with one role of its owner’s and needs no CSRF token.',
  'developers.auth.cookie':
    'A signed-in browser uses its session cookie; a request that changes something also sends the X-CSRF-Token header.',
  'developers.errors.title': 'Errors',
  'developers.errors.text':
    'Every error has the shape { "error": { "code", "message", "fields" } }; the message is in the request’s language (?lang=id or en, or Accept-Language). Codes and HTTP statuses:',
  'developers.idempotency':
    'Filing a complaint or a survey takes an Idempotency-Key header: a repeat with the same key answers with the first result.',
  'developers.contents': 'Modules',
  'developers.operations': '{count} operations',
  'developers.signed_in': 'Signed in (session or API token)',
  'developers.public': 'Public, no sign-in',
  'developers.parameters': 'Parameters',
  'developers.body': 'Request body',
  'developers.responses': 'Responses',
  'developers.example': 'Example',
  'developers.name': 'Name',
  'developers.in': 'In',
  'developers.type': 'Type and bounds',
  'developers.required': 'Required',
  'developers.optional': 'Optional',
  'developers.required_when': 'Required when {condition}',
  'developers.status': 'Status',
  'developers.meaning': 'Meaning',
  'developers.media': 'Format',
  'developers.schema.one_of': 'one of: {values}',
  'developers.schema.may_be_empty': 'may be empty',
  'developers.schema.array_of': 'array of {item}',
  'developers.schema.chars': 'chars',
  'developers.schema.items': 'items',
  'developers.schema.pattern': 'pattern {pattern}',
  'developers.schema.default': 'default {value}',
};

export default { id, en };
