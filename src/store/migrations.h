/* migrations.h — the schema migrations compiled into the library
 * (generated from the .sql files in schema/ by tools/embed_schema.py). */
#ifndef SL_STORE_MIGRATIONS_H
#define SL_STORE_MIGRATIONS_H

struct sl_migration {
	int number;
	const char *name;
	const char *sql;
};

extern const struct sl_migration sl_migrations[];
extern const int sl_migration_count;

#endif
