/** What a key may do: read (auditor), append facts (ingest), rebuild projections and read the access log (admin). */
export const ROLES = ['auditor', 'ingest', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(text: string): text is Role {
  return (ROLES as readonly string[]).includes(text);
}
