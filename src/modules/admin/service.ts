import { AppError } from '../../platform/errors.js';
import { hasAnyRole, type Actor } from '../../platform/access.js';
import { countTokensExpiringSoon } from '../accounts/index.js';
import { failedMailCount } from '../notifications/index.js';

/** A page of the admin pages, and how many things on it wait for the admin (none: nothing to say). */
export interface AdminLink {
  key: string;
  href: string;
  attention?: number;
}

/** The units an admin's grants name (their agencies); none for a platform administrator, who picks one. */
const agencyCodes = (actor: Actor) =>
  actor.grants.flatMap((grant) => (grant.role === 'admin' && grant.unitCode ? [grant.unitCode] : []));

/**
 * The admin home: every admin page, grouped, with the counts of what needs the admin's attention in their scope
 * (their agency's subtree; everything for a platform administrator). Pages other people build are linked only.
 */
export async function adminHome(actor: Actor | undefined) {
  if (!actor) throw new AppError('unauthenticated');
  if (!hasAnyRole(actor, 'admin')) throw new AppError('forbidden');
  const [failedMail, tokensExpiring] = await Promise.all([failedMailCount(actor), countTokensExpiringSoon(actor)]);
  const sections: { key: string; links: AdminLink[] }[] = [
    {
      key: 'directory',
      links: [
        { key: 'units', href: '/admin/units' },
        { key: 'officers', href: '/admin/officers' },
        { key: 'holidays', href: '/admin/holidays' },
        // A platform administrator, who has no agency of their own, picks one there.
        ...(agencyCodes(actor).length
          ? agencyCodes(actor).map((code) => ({ key: 'settings', href: `/admin/settings/${encodeURIComponent(code)}` }))
          : [{ key: 'settings', href: '/admin/settings' }]),
      ],
    },
    {
      key: 'feedback',
      links: [
        { key: 'categories', href: '/admin/categories' },
        { key: 'templates', href: '/admin/templates' },
      ],
    },
    {
      key: 'people',
      links: [
        { key: 'accounts', href: '/admin/accounts' },
        { key: 'tokens', href: '/admin/tokens', attention: tokensExpiring },
      ],
    },
    {
      key: 'coaching',
      links: [
        { key: 'coaching_rules', href: '/admin/coaching-rules' },
        { key: 'training_catalogue', href: '/admin/training-catalogue' },
        ...agencyCodes(actor).map((code) => ({
          key: 'coaching_settings',
          href: `/coaching/agencies/${encodeURIComponent(code)}/settings`,
        })),
      ],
    },
    {
      key: 'operations',
      links: [
        { key: 'outbox', href: '/admin/outbox?status=failed', attention: failedMail },
        { key: 'audit', href: '/admin/audit' },
      ],
    },
  ];
  return { sections, counts: { failedMail, tokensExpiring } };
}
