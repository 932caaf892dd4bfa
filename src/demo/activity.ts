import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { Actor } from '../platform/access.js';
import { fileTicket } from '../modules/feedback/service.js';
import { actOnTicket, recordFinding, replyToTicket, staffView } from '../modules/feedback/staff.js';
import { submitSurvey } from '../modules/surveys/service.js';
import { demoOfficers } from './data.js';

/**
 * A little life in the demo: tickets at several stages in Jambi's puskesmas and offices, so the inbox, the clocks
 * and the tracking page have something to show, and a few dozen survey answers. Filed through the same services
 * as real ones (so every rule holds), without contact data.
 */
const tickets = [
  {
    unitCode: 'JAMBI-PKM-KEBUNHANDIL',
    kind: 'complaint',
    category: 'waiting_time',
    waitMinutes: 150,
    serviceCode: 'POLI-UMUM',
    description: 'Antre dari jam 7 pagi, baru dipanggil jam 9.30. Nomor antrean tidak dipanggil berurutan.',
    privacy: 'public',
    stage: 'received',
  },
  {
    unitCode: 'JAMBI-PKM-KEBUNHANDIL',
    kind: 'complaint',
    category: 'officer_conduct',
    description: 'Petugas pendaftaran membentak ibu saya yang bertanya soal rujukan BPJS.',
    privacy: 'anonymous',
    stage: 'assigned',
    officer: true,
    finding: 'substantiated',
  },
  {
    unitCode: 'JAMBI-PKM-KEBUNHANDIL',
    kind: 'compliment',
    category: 'officer_conduct',
    description: 'Bidan di ruang KIA sangat sabar dan menjelaskan jadwal imunisasi dengan jelas.',
    privacy: 'public',
    stage: 'verified',
    officer: true,
  },
  {
    unitCode: 'JAMBI-PKM-PUTRIAYU',
    kind: 'complaint',
    category: 'facilities',
    description: 'Atap ruang tunggu bocor saat hujan, lantai licin dan berbahaya untuk lansia.',
    privacy: 'public',
    stage: 'resolved',
  },
  {
    unitCode: 'JAMBI-DUKCAPIL',
    kind: 'complaint',
    category: 'illegal_fee',
    serviceCode: 'KTP-EL',
    description: 'Diminta uang Rp 50.000 agar KTP-el cepat jadi, padahal layanan ini gratis.',
    privacy: 'confidential',
    stage: 'verified',
  },
  {
    unitCode: 'JAMBI-DUKCAPIL',
    kind: 'suggestion',
    category: 'digital_service',
    description: 'Mohon ada antrean daring supaya tidak perlu datang subuh untuk mengambil nomor.',
    privacy: 'public',
    stage: 'received',
  },
  {
    unitCode: 'JAMBI-RSUD',
    kind: 'information_request',
    description: 'Apakah pendaftaran rawat jalan bisa dilakukan lewat telepon atau WhatsApp?',
    privacy: 'public',
    stage: 'answered',
  },
] as const;

export async function seedDemoActivity(config: Config, heads: Map<string, Actor>, handler: Actor): Promise<void> {
  const officers = demoOfficers();
  for (const [index, ticket] of tickets.entries()) {
    const officer =
      'officer' in ticket ? officers.find((candidate) => candidate.unitCode === ticket.unitCode) : undefined;
    const head = heads.get(ticket.unitCode)!;
    const { stage, ...rest } = ticket;
    const { finding, ...input } = { finding: undefined, ...rest };
    const receipt = await fileTicket(
      { ...input, officerNip: officer?.nip, consent: true },
      {
        lang: 'id',
        publicUrl: config.publicUrl,
        staff: true,
        idempotencyKey: `demo-${index}`,
      },
    );
    if (stage === 'received' || receipt.replayed) continue;
    const revision = async () => (await staffView(head, receipt.code)).ticket.revision;
    await actOnTicket(head, receipt.code, { revision: await revision(), action: 'verify' });
    if (stage === 'verified') continue;
    if (stage === 'answered') {
      await replyToTicket(head, receipt.code, {
        revision: await revision(),
        body: 'Bisa. Pendaftaran rawat jalan melayani WhatsApp di nomor resmi rumah sakit pada hari kerja 07.00–12.00.',
      });
      continue;
    }
    if (stage === 'assigned' && handler.grants.some((grant) => grant.unitCode === ticket.unitCode)) {
      await actOnTicket(head, receipt.code, { revision: await revision(), action: 'assign', assigneeId: handler.id });
      // The head's finding is what the officer's coaching record shows (never the complaint itself).
      if (finding && officer)
        await recordFinding(head, receipt.code, {
          revision: await revision(),
          officerNip: officer.nip,
          outcome: finding,
          note: 'Petugas mengakui nada bicaranya keras saat antrean padat; dibahas dalam dialog kinerja.',
        });
      continue;
    }
    await actOnTicket(head, receipt.code, {
      revision: await revision(),
      action: 'resolve',
      body: 'Atap sudah diperbaiki pada hari Sabtu. Terima kasih atas laporannya.',
    });
  }

  // Survey answers from different devices, mostly good, so the IKM has something to compute.
  const surveyUnits = ['JAMBI-PKM-KEBUNHANDIL', 'JAMBI-DUKCAPIL', 'AMB-PKM-RIJALI'];
  const officerOfRecord = officers.find((candidate) => candidate.unitCode === 'JAMBI-PKM-KEBUNHANDIL');
  for (let i = 0; i < 36; i++) {
    const unitCode = surveyUnits[i % surveyUnits.length]!;
    // Some answers at Kebun Handil name the officer of the coaching record, so their survey index has a sample.
    const officerNip = unitCode === 'JAMBI-PKM-KEBUNHANDIL' && i % 2 === 0 ? officerOfRecord?.nip : undefined;
    const answers = Array.from({ length: 9 }, (_, element) => 2 + ((i * 7 + element * 3) % 3));
    await submitSurvey(
      {
        unitCode,
        officerNip,
        answers,
        respondent: {
          gender: i % 2 ? 'female' : 'male',
          ageBand: ['20_29', '30_39', '40_49', '50_59'][i % 4],
          education: ['sma', 'd4_s1', 'smp', 'd1_d3'][i % 4],
          occupation: ['private_employee', 'self_employed', 'student', 'other'][i % 4],
        },
      },
      {
        channel: 'api',
        device: { hash: randomBytes(8).toString('hex'), fresh: true },
        ip: `10.0.${i}.1`,
        staff: true,
      },
    );
  }
}
