/** A copyable client_credentials token request for a confidential client. */
export function clientCredentialsCurl(o: {
  tokenUrl: string;
  clientId: string;
  secret?: string;
  method?: string;
  scope?: string;
}): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const secret = o.secret ?? "$CLIENT_SECRET";
  const lines = [`curl -s -X POST ${q(o.tokenUrl)}`];
  if (o.method === "client_secret_post") {
    lines.push(
      `  -d client_id=${q(o.clientId)}`,
      `  -d client_secret=${o.secret ? q(secret) : `"${secret}"`}`,
    );
  } else {
    lines.push(
      `  -u ${o.secret ? q(`${o.clientId}:${secret}`) : `"${o.clientId.replace(/"/g, '\\"')}:${secret}"`}`,
    );
  }
  lines.push("  -d grant_type=client_credentials");
  if (o.scope?.trim()) lines.push(`  -d scope=${q(o.scope.trim())}`);
  return lines.join(" \\\n");
}
