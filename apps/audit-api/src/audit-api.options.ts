/** How the audit API is composed into a process. */
export class AuditApiOptions {
  /** Keep the read models caught up in this process (the all-in-one `serve`). */
  projector = false;
  projectorPollMs = 200;
}
