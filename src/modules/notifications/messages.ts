/** Strings of the notifications module. Bahasa Indonesia first; English must have every key (the type checks it). */
const id = {
  'notifications.title': 'Pemberitahuan',
  'notifications.outbox.title': 'Kotak keluar e-mail',
  'notifications.mail.footer':
    'E-mail ini dikirim otomatis oleh Suara. Mohon jangan membalas e-mail ini; gunakan tautan di atas untuk menanggapi.',
  'notifications.status.queued': 'Menunggu dikirim',
  'notifications.status.retry': 'Akan dicoba lagi',
  'notifications.status.sent': 'Terkirim',
  'notifications.status.failed': 'Gagal',
  'notifications.template.ticket.receipt': 'Tanda terima laporan',
  'notifications.template.ticket.status': 'Perubahan status',
  'notifications.template.ticket.reply': 'Jawaban dari unit',
  'notifications.template.ticket.resolved': 'Laporan selesai',
};

const en: Record<keyof typeof id, string> = {
  'notifications.title': 'Notifications',
  'notifications.outbox.title': 'E-mail outbox',
  'notifications.mail.footer':
    'This e-mail was sent automatically by Suara. Please do not reply to it; use the link above to respond.',
  'notifications.status.queued': 'Waiting to be sent',
  'notifications.status.retry': 'Will be retried',
  'notifications.status.sent': 'Sent',
  'notifications.status.failed': 'Failed',
  'notifications.template.ticket.receipt': 'Receipt',
  'notifications.template.ticket.status': 'Status change',
  'notifications.template.ticket.reply': 'Reply from the unit',
  'notifications.template.ticket.resolved': 'Resolved',
};

export default { id, en };
