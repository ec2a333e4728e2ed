/** The `pgpass` module (libpq's ~/.pgpass / PGPASSFILE rules), as pg uses it. */
declare module 'pgpass' {
  interface ConnectionInfo {
    host?: string;
    port?: number | string;
    database?: string;
    user?: string;
  }
  function pgpass(connInfo: ConnectionInfo, callback: (password: string | undefined) => void): void;
  export = pgpass;
}
