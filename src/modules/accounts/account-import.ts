import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { AppError } from '../../platform/errors.js';
import { check } from '../../platform/validate.js';
import { firstProblem, type ImportReport, readCsv } from '../../platform/csv.js';
import { User, type UserDoc } from './model.js';
import { recordAudit } from '../../platform/audit-log.js';
import { type Actor, type Role } from '../../platform/access.js';
import { importUserInput } from './schemas.js';
import { sendResetLink } from './resets.js';
import { grantsSummary, hashPassword } from './actors.js';
import { createUser, updateUser } from './service.js';

/** Accounts from a spreadsheet: each line checked on its own, each new person mailed a link to set a password. */

export const accountColumns: Record<string, string[]> = {
  email: ['email', 'e-mail', 'surel'],
  name: ['name', 'nama'],
  role: ['role', 'peran'],
  unitCode: ['unitcode', 'unit code', 'kode unit', 'unit'],
  officerNip: ['officernip', 'officer nip', 'nip'],
};

/**
 * Accounts from a spreadsheet (email, name, role, unitCode, officerNip); each line is checked on its own. A new account
 * gets no password: its person is mailed a reset link to set one. A known e-mail in scope gains the line's grant,
 * name and officer link.
 */
export async function importUsers(actor: Actor, csv: string, publicUrl: string): Promise<ImportReport> {
  const report: ImportReport = { created: 0, updated: 0, rejected: [] };
  const parsed = readCsv(csv, accountColumns, ['email', 'name', 'role']);
  if (!parsed.ok) throw AppError.validation({ file: parsed.problem });
  const seen = new Map<string, number>();
  for (const row of parsed.rows) {
    try {
      const input = check(importUserInput, row.values) as {
        email: string;
        name: string;
        role: Role;
        unitCode?: string | null;
        officerNip?: string | null;
      };
      const earlier = seen.get(input.email);
      if (earlier) throw AppError.validation({ email: { key: 'import.duplicate_in_file', params: { line: earlier } } });
      seen.set(input.email, row.line);
      const existing = await User.findOne({ email: input.email }).lean<UserDoc>();
      if (existing) {
        const grants = grantsSummary(existing.grants);
        if (!grants.some((grant) => grant.role === input.role && (grant.unitCode ?? '') === (input.unitCode || '')))
          grants.push({ role: input.role, unitCode: input.unitCode || null });
        await updateUser(actor, String(existing._id), {
          name: input.name,
          grants,
          ...(input.officerNip ? { officerNip: input.officerNip } : {}),
        });
        report.updated++;
      } else {
        const unusable = await hashPassword(randomBytes(32).toString('hex'));
        const created = await createUser(actor, input, { passwordHash: unusable });
        await sendResetLink(
          { _id: new mongoose.Types.ObjectId(created.id), email: created.email, name: created.name, lang: 'id' },
          actor,
          publicUrl,
        );
        report.created++;
      }
    } catch (error) {
      report.rejected.push({ line: row.line, problem: firstProblem(error) });
    }
  }
  await recordAudit(actor, 'user.import', null, {
    created: report.created,
    updated: report.updated,
    rejected: report.rejected.length,
  });
  return report;
}
