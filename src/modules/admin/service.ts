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
      key: 'feedback',
      links: [
        { key: 'categories', href: '/admin/categories' },
        { key: 'templates', href: '/admin/templates' },
        { key: 'coaching_rules', href: '/admin/coaching-rules' },
      ],
    },
    {
      key: 'operations',
      links: [
        { key: 'outbox', href: '/admin/outbox?status=failed', attention: failedMail },
        { key: 'audit', href: '/admin/audit' },
        { key: 'settings', href: '/admin/settings' },
      ],
    },
  ];
  return { sections, counts: { failedMail, tokensExpiring } };
}
