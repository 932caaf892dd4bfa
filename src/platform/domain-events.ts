/**
 * The domain events, named in one place: the contract between the modules that publish them and the subscribers and
 * projectors that follow them (docs/events.md). Payloads carry ids, codes and figures, never contact data.
 */
/** What a ticket event carries: ids and codes for routing (rooms, rollups, records); never contact data. */
export interface TicketEvent {
  ticketId: string;
  code: string;
  kind: string;
  status: string;
  category: string | null;
  privacy: string;
  unitId: string;
  unitPath: string[];
  serviceCode: string | null;
  officerIds: string[];
  /**
   * The staff-safe projection at the moment of the change (feedback's inbox item), so the live inbox need not read
   * the ticket again. Opaque here: the platform carries it, the inbox module reads it.
   */
  item?: object;
  at: Date;
}

export interface SurveyEvent {
  surveyId: string;
  unitId: string;
  unitPath: string[];
  serviceCode: string | null;
  officerId: string | null;
  answers: number[];
  at: Date;
}

export interface DomainEvents {
  'ticket.created': TicketEvent;
  'ticket.updated': TicketEvent & { change: string; public: boolean };
  'survey.submitted': SurveyEvent;
  'finding.recorded': {
    findingId: string;
    ticketId: string;
    officerId: string;
    outcome: string;
    category: string | null;
    unitPath: string[];
    at: Date;
  };
  'finding.answered': { findingId: string; ticketId: string; officerId: string; at: Date };
  /** A survey answer's rollups are written (all of them): figures read from rollups now count it. */
  'survey.rolled_up': { surveyId: string; unitPath: string[] };
  'unit.changed': { unitId: string; code: string };
  'officer.changed': { officerId: string; nip: string };
  'user.signed_in': { userId: string };
  /** A session ended (sign-out), or every session of a user (disabled, password reset): live sockets stop. */
  'user.sessions_ended': { userId: string | null; sessionId: string | null };
  'user.notice': { userId: string; kind: string; ticketCode: string; message: string };
}
