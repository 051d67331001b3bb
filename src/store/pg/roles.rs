//! The two roles of a team database: `lockstep_editor`, whose members make changes, and
//! `lockstep_reader`, whose members (an auditor during fieldwork, say) only read.
//!
//! Both are group roles without login: an administrator creates one login per person and
//! makes it a member of one of them. Editors may add and change records but not alter or
//! delete the activity log, which they can only append to, nor the schema's bookkeeping;
//! readers may read everything and change nothing. Lockstep finds which one a login has when
//! it opens the workspace, and refuses every change for a reader.

use postgres::Client;

use super::PgError;

/// The role whose members make changes.
pub const EDITOR_ROLE: &str = "lockstep_editor";
/// The role whose members only read.
pub const READER_ROLE: &str = "lockstep_reader";

/// Creates the two roles if missing and grants them their rights on every table of the
/// team database, now and (for tables a later migration adds) to come. Run by the
/// database's owner; running it again changes nothing.
pub fn init_roles(client: &mut Client) -> Result<(), PgError> {
    // Roles belong to the whole server, so another database's set-up may create them at the
    // same moment: a role that appeared meanwhile is as good as one created here.
    let sql = format!(
        "DO $$
         BEGIN
             BEGIN
                 CREATE ROLE {EDITOR_ROLE} NOLOGIN;
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
             END;
             BEGIN
                 CREATE ROLE {READER_ROLE} NOLOGIN;
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
             END;
             EXECUTE format('GRANT CONNECT ON DATABASE %I TO {EDITOR_ROLE}, {READER_ROLE}',
                            current_database());
         END $$;
         GRANT USAGE ON SCHEMA public TO {EDITOR_ROLE}, {READER_ROLE};
         GRANT SELECT ON ALL TABLES IN SCHEMA public TO {EDITOR_ROLE}, {READER_ROLE};
         GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {EDITOR_ROLE};
         REVOKE UPDATE, DELETE, TRUNCATE ON activity FROM {EDITOR_ROLE};
         REVOKE INSERT, UPDATE, DELETE ON lockstep_migrations FROM {EDITOR_ROLE};
         GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {EDITOR_ROLE};
         GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {EDITOR_ROLE}, {READER_ROLE};
         ALTER DEFAULT PRIVILEGES IN SCHEMA public
             GRANT SELECT ON TABLES TO {EDITOR_ROLE}, {READER_ROLE};
         ALTER DEFAULT PRIVILEGES IN SCHEMA public
             GRANT INSERT, UPDATE, DELETE ON TABLES TO {EDITOR_ROLE};
         ALTER DEFAULT PRIVILEGES IN SCHEMA public
             GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {EDITOR_ROLE};"
    );
    let mut tx = client
        .transaction()
        .map_err(|e| PgError::database("could not start a transaction", e))?;
    tx.batch_execute(&sql)
        .map_err(|e| PgError::database("refused to set up its roles", e))?;
    tx.commit()
        .map_err(|e| PgError::database("could not commit its roles", e))
}
