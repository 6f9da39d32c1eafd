/* OC011 missing-payment-ref-index: the store keeps a payment reference (payment_ref,
 * paymentRef, payment_reference ...) and nothing indexes it. Columns and indexes are read
 * from every file that names the reference: SQL migrations and schema dumps (CREATE TABLE,
 * CREATE INDEX, ALTER TABLE, in .sql files and in SQL strings of migrations), Prisma
 * models, Mongoose and Sequelize schemas, TypeORM entities, Drizzle tables and Knex
 * migrations; in PHP, Laravel and Phinx migrations and Doctrine entities; in Python,
 * Django models and migrations, SQLAlchemy models, Alembic and Peewee. An index may live in another file than the column (a later migration), so
 * each file only records what it saw and finish() decides for the repository. */
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check/scan.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/regex.h"

enum { EV_COLUMN, EV_INDEXED_COLUMN, EV_INDEX };

/* A payment reference column or field name. */
#define REF_NAME "(?i:payment_?ref(?:erence)?|ocpay_?ref|payment_?link_?ref)"

struct pattern {
	const char *re;
	int kind;	     /* what a match records */
	const char *context; /* PHP/Python: a regex the file must match, or NULL */
	const char *column;  /* PHP/Python: a regex the def must match, or NULL */
};

/* SQL: a column inside CREATE TABLE is found by reading the table's body. */
static const char *const create_table_re =
	"(?i)\\bcreate\\s+(?:temporary\\s+)?table\\s+(?:if\\s+not\\s+exists\\s+)?"
	"(?<table>[`\"\\[]?[\\w.]+[`\"\\]]?)\\s*\\(";
static const struct pattern sql_patterns[] = {
	/* CREATE [UNIQUE] INDEX ... ON orders (status, payment_ref) [WHERE ...] */
	{"(?i)\\bcreate\\s+(?:unique\\s+)?index\\b[^;(]*?\\bon\\s+[^(;]*\\((?<cols>[^;]*?)\\)",
	 EV_INDEX, NULL, NULL},
	/* ALTER TABLE orders ADD [CONSTRAINT c] UNIQUE|INDEX|KEY|PRIMARY KEY (payment_ref) */
	{"(?i)\\balter\\s+table\\s+[^;]*?\\badd\\s+(?:constraint\\s+\\S+\\s+)?"
	 "(?:unique|primary\\s+key|index|key)\\b[^;(]*\\((?<cols>[^)]*)\\)",
	 EV_INDEX, NULL, NULL},
	/* ALTER TABLE orders ADD [COLUMN] payment_ref TEXT [UNIQUE] */
	{"(?i)\\balter\\s+table\\s+[^;]*?\\badd\\s+(?:column\\s+)?(?:if\\s+not\\s+exists\\s+)?"
	 "[`\"]?(?<name>" REF_NAME ")[`\"]?\\s(?<def>[^;,]*)",
	 EV_COLUMN, NULL, NULL},
	{NULL, 0, NULL, NULL},
};
static const struct pattern prisma_patterns[] = {
	/* paymentRef String? @unique @map("payment_ref") */
	{"(?m)^[ \\t]*(?<name>" REF_NAME ")[ \\t]+\\w+[?\\[\\]]*(?<def>[^\\n]*)", EV_COLUMN, NULL, NULL},
	{"@@(?:index|unique|id)\\(\\s*(?:fields:\\s*)?\\[(?<cols>[^\\]]*)\\]", EV_INDEX, NULL, NULL},
	{NULL, 0, NULL, NULL},
};
static const struct pattern js_patterns[] = {
	/* Mongoose / Sequelize: paymentRef: String, payment_ref: { type: DataTypes.STRING } */
	{"(?<![\\w$.])[\"']?(?<name>" REF_NAME ")[\"']?\\s*:\\s*(?<def>\\{[^{}]*\\btype\\s*:[^{}]*\\}|"
	 "String\\b|Schema\\.Types\\.\\w+|mongoose\\.Schema\\.Types\\.\\w+|DataTypes\\.\\w+(?:\\([^)]*\\))?|"
	 "Sequelize\\.\\w+(?:\\([^)]*\\))?)",
	 EV_COLUMN, NULL, NULL},
	/* Knex / Drizzle: table.string("payment_ref").unique(), text("payment_ref").notNull() */
	{"\\b(?:string|text|varchar|char|uuid)\\s*\\(\\s*[\"'](?<name>" REF_NAME ")[\"'][^)]*\\)"
	 "(?<def>(?:\\s*\\.\\s*\\w+\\s*\\((?:[^()]|\\([^()]*\\))*\\))*)",
	 EV_COLUMN, NULL, NULL},
	/* TypeORM: @Index() @Column({ unique: true }) paymentRef: string */
	{"(?<def>(?:@\\w+\\s*\\((?:[^()]|\\([^()]*\\))*\\)\\s*)+)(?:(?:public|private|readonly|declare)\\s+)*"
	 "(?<name>" REF_NAME ")[!?]?\\s*:",
	 EV_COLUMN, NULL, NULL},
	/* schema.index({ paymentRef: 1 }), table.index(["payment_ref"]), addIndex("orders",
	 * ["payment_ref"]), uniqueIndex("x").on(t.paymentRef), @Index(["paymentRef"]) */
	{"(?:\\.index|\\.unique|\\.primary|addIndex|createIndex|uniqueIndex|@Index|@Unique|\\.on)"
	 "\\s*\\((?<cols>(?:[^()]|\\((?:[^()]|\\([^()]*\\))*\\))*)\\)",
	 EV_INDEX, NULL, NULL},
	/* Sequelize indexes: [{ fields: [...] }], TypeORM new TableIndex({ columnNames }) */
	{"\\bindexes\\s*:\\s*\\[(?<cols>(?:[^\\[\\]]|\\[[^\\[\\]]*\\])*)\\]", EV_INDEX, NULL, NULL},
	{"\\bnew\\s+Table(?:Index|Unique)\\s*\\(\\s*\\{(?<cols>[^}]*)\\}", EV_INDEX, NULL, NULL},
	{NULL, 0, NULL, NULL},
};

/* PHP and Python schemas. A call's arguments, two levels of parentheses deep. */
#define ARGS "(?>[^()]+|\\((?>[^()]+|\\([^()]*\\))*\\))*"
/* A Python list, tuple or set, three levels deep: (("shop", "payment_ref"),) */
#define SEQ \
	"[\\[({](?>[^(){}\\[\\]]+|[\\[({](?>[^(){}\\[\\]]+|[\\[({][^(){}\\[\\]]*[\\])}])*[\\])}])*" \
	"[\\])}]"
#define LARAVEL_SCHEMA "Schema::|\\bBlueprint\\b"
#define DOCTRINE "ORM\\\\|Doctrine"

static const struct pattern php_patterns[] = {
	/* Laravel: $table->string('payment_ref', 32)->nullable()->index() */
	{"\\$\\w+\\s*->\\s*(?:string|char|text|tinyText|mediumText|longText|uuid|ulid|integer|"
	 "bigInteger|unsignedBigInteger|unsignedInteger)\\s*\\(\\s*[\"'](?<name>" REF_NAME
	 ")[\"'][^)]*\\)(?<def>(?:\\s*->\\s*\\w+\\s*\\(" ARGS "\\))*)",
	 EV_COLUMN, LARAVEL_SCHEMA, NULL},
	/* Laravel: $table->index(['status', 'payment_ref'], 'name'): the first argument only */
	{"->\\s*(?:index|unique|primary)\\s*\\(\\s*(?<cols>\\[[^\\]]*\\]|[\"'][^\"']*[\"'])",
	 EV_INDEX, LARAVEL_SCHEMA, NULL},
	/* Phinx (CakePHP): ->addColumn('payment_ref', 'string') ... ->addIndex(['payment_ref']) */
	{"->\\s*addColumn\\s*\\(\\s*[\"'](?<name>" REF_NAME ")[\"'](?<def>" ARGS ")\\)", EV_COLUMN,
	 NULL, NULL},
	{"->\\s*addIndex\\s*\\(\\s*(?<cols>\\[[^\\]]*\\]|[\"'][^\"']*[\"'])", EV_INDEX, NULL, NULL},
	/* Doctrine: #[ORM\Column(length: 32, unique: true)] private ?string $paymentRef, or the
	 * same in an @ORM\Column docblock */
	{"(?<def>(?:#\\[(?>[^\\[\\]]+|\\[[^\\[\\]]*\\])*\\]\\s*)+|/\\*\\*(?>[^*]+|\\*(?!/))*\\*/\\s*)"
	 "(?:(?:public|private|protected|readonly|static|var)\\s+)*(?:\\??[\\w\\\\|]+\\s+)?"
	 "\\$(?<name>" REF_NAME ")\\b",
	 EV_COLUMN, DOCTRINE, "\\bColumn\\b"},
	/* #[ORM\Index(columns: ['payment_ref'])], @ORM\UniqueConstraint(columns={"payment_ref"}) */
	{"\\b(?:Index|UniqueConstraint)\\s*\\((?<cols>" ARGS ")\\)", EV_INDEX, DOCTRINE, NULL},
	{NULL, 0, NULL, NULL},
};
static const struct pattern python_patterns[] = {
	/* Django and SQLAlchemy models: payment_ref = models.CharField(max_length=32,
	 * db_index=True), payment_ref: Mapped[str] = mapped_column(String(32), index=True) */
	{"(?m)^[ \\t]+(?<name>" REF_NAME ")[ \\t]*(?::[^=\\n]+)?=[ \\t]*(?<def>(?:models\\.\\w+|"
	 "(?:sa\\.|sqlalchemy\\.|db\\.)?Column|(?:sa\\.|orm\\.)?mapped_column)\\s*\\((?!\\s*[\"'])"
	 ARGS "\\))",
	 EV_COLUMN, NULL, NULL},
	/* Peewee: payment_ref = CharField(unique=True) */
	{"(?m)^[ \\t]+(?<name>" REF_NAME ")[ \\t]*=[ \\t]*(?<def>(?:pw\\.|peewee\\.)?\\w+Field\\s*\\("
	 ARGS "\\))",
	 EV_COLUMN, "\\bpeewee\\b", NULL},
	/* SQLModel: payment_ref: str = Field(index=True), in a table=True model */
	{"(?m)^[ \\t]+(?<name>" REF_NAME ")[ \\t]*:[^=\\n]+=[ \\t]*(?<def>Field\\s*\\(" ARGS "\\))",
	 EV_COLUMN, "\\bSQLModel\\b[^\\n]*\\btable\\s*=\\s*True", NULL},
	/* SQLAlchemy Core and Alembic: sa.Column("payment_ref", sa.String(32), index=True) */
	{"\\b(?:Column|mapped_column)\\s*\\(\\s*[\"'](?<name>" REF_NAME ")[\"'](?<def>" ARGS ")\\)",
	 EV_COLUMN, NULL, NULL},
	/* Django migrations: ("payment_ref", models.CharField(...)) of CreateModel, and
	 * AddField / AlterField(name="payment_ref", field=models.CharField(...)) */
	{"\\(\\s*[\"'](?<name>" REF_NAME ")[\"']\\s*,\\s*(?<def>models\\.\\w+\\s*\\(" ARGS "\\))",
	 EV_COLUMN, NULL, NULL},
	{"\\bname\\s*=\\s*[\"'](?<name>" REF_NAME ")[\"']\\s*,\\s*field\\s*=\\s*(?<def>models\\.\\w+"
	 "\\s*\\(" ARGS "\\))",
	 EV_COLUMN, NULL, NULL},
	/* models.Index(fields=[...]), UniqueConstraint(...), Index("ix_ref", "payment_ref") */
	{"\\b(?:Index|UniqueConstraint|PrimaryKeyConstraint)\\s*\\((?<cols>" ARGS ")\\)", EV_INDEX,
	 NULL, NULL},
	/* Meta: unique_together, index_together; Peewee Meta.indexes = ((("payment_ref",), True),) */
	{"\\b(?:unique_together|index_together|indexes)\\s*=\\s*(?<cols>" SEQ ")", EV_INDEX, NULL,
	 NULL},
	/* Alembic op.create_index(...), Peewee migrator.add_index(...) */
	{"\\b(?:create_index|create_unique_constraint|create_primary_key|add_index)\\s*\\((?<cols>"
	 ARGS ")\\)",
	 EV_INDEX, NULL, NULL},
	{NULL, 0, NULL, NULL},
};
/* What indexes a PHP or Python column where it is defined. unique=False is no index. */
static const char *const script_indexed_re =
	"(?i:\\bunique\\s*(?:=|:)\\s*true\\b)|\\b(?:db_index|index|primary_key)\\s*=\\s*True\\b|"
	"->\\s*(?:index|unique|primary)\\s*\\(|\\bORM\\\\Id\\b";
/* CREATE TABLE in a PHP or Python string names its table with interpolation:
 * "CREATE TABLE {$wpdb->prefix}ocpay_orders (", f"CREATE TABLE {table} (" */
static const char *const script_create_table_re =
	"(?i)\\bcreate\\s+(?:temporary\\s+)?table\\s+(?:if\\s+not\\s+exists\\s+)?"
	"(?<table>(?:[\\w.`\"'\\[\\]{}$%]|->|[ \\t]*\\.[ \\t]*)+?)\\s*\\(";

/* Inline index words of a column definition. */
static const char *const indexed_re =
	"(?i)\\bunique\\b|\\bprimary\\s*key\\b|\\bprimaryKey\\s*:\\s*true|@id\\b|@unique\\b|"
	"\\bindex\\s*:\\s*(?:true|1|[\"'])|\\.(?:index|unique|primary|primaryKey)\\s*\\(|@Index\\b|"
	"@Unique\\b|@PrimaryColumn\\b";
/* TypeORM and @nestjs/mongoose: decorators that make a property a column. */
static const char *const typeorm_column_re = "@(?:Column|PrimaryColumn|Prop)\\b";
/* A JavaScript file defines a schema with one of these. */
static const char *const js_schema_re =
	"mongoose|\\bSchema\\s*\\(|sequelize|DataTypes|@Entity|@Column|pgTable|mysqlTable|"
	"sqliteTable|createTable|alterTable|\\.table\\s*\\(";

struct refscan {
	struct unit *u;
	const struct rule *r;
	struct regex *indexed;
	struct regex *name_re;
	bool covers; /* PHP/Python: an indexed definition also covers the column's others
		      * (AlterField(db_index=True), ->unique()->change(), the model beside
		      * its migration) */
	int rc;
};

/* "payment_ref" -> "paymentref": the same column seen by SQL and by an ORM. */
static void normalise(const char *s, size_t n, char *out, size_t size)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < size; i++)
		if (isalnum((unsigned char)s[i]))
			out[k++] = (char)tolower((unsigned char)s[i]);
	out[k] = '\0';
}

static void record(struct refscan *rs, int kind, size_t pos, const char *name, size_t n)
{
	char norm[64];
	normalise(name, n, norm, sizeof norm);
	char text[160];
	snprintf(text, sizeof text, "%s\t%.*s", norm, (int)(n < 60 ? n : 60), name);
	if (!rs->rc)
		rs->rc = scan_add_evidence(rs->u->scan, rs->r, kind, rs->u->path, unit_line(rs->u, pos),
					   text);
}

/* Every reference name in cols is indexed. */
static void record_index(struct refscan *rs, size_t start, size_t end)
{
	struct regex_iter it;
	regex_iter_init(&it, rs->name_re, rs->u->data + start, end - start);
	while (!rs->rc && regex_iter_next(&it)) {
		size_t a, b;
		regex_iter_group(&it, 0, &a, &b);
		record(rs, EV_INDEX, start + a, rs->u->data + start + a, b - a);
	}
	regex_iter_free(&it);
}

/* A column indexed where it is defined is only evidence; any other is reported here,
 * with its line and snippet, and dropped by finish() if an index elsewhere covers it. */
static void record_column(struct refscan *rs, size_t name_at, size_t name_end, size_t def_at,
			  size_t def_end)
{
	bool indexed = def_end > def_at &&
		       regex_search(rs->indexed, rs->u->data + def_at, def_end - def_at);
	record(rs, indexed ? EV_INDEXED_COLUMN : EV_COLUMN, name_at, rs->u->data + name_at,
	       name_end - name_at);
	if (indexed && rs->covers)
		record(rs, EV_INDEX, name_at, rs->u->data + name_at, name_end - name_at);
	if (indexed || rs->rc)
		return;
	char msg[256];
	snprintf(msg, sizeof msg,
		 "the payment reference %.*s has no index: every lookup by paymentRef (the return "
		 "page, the reconciliation job) reads the whole orders table",
		 (int)(name_end - name_at < 60 ? name_end - name_at : 60), rs->u->data + name_at);
	rs->rc = unit_add_hit(rs->u, rs->r, name_at, name_end, NULL, 0, msg, -1);
}

static int run_patterns(struct refscan *rs, const struct pattern *ps)
{
	for (size_t i = 0; ps[i].re && !rs->rc; i++) {
		struct regex *re = checker_regex(rs->u->scan, rs->r, ps[i].re);
		struct regex *ctx = ps[i].context
					    ? checker_regex(rs->u->scan, rs->r, ps[i].context)
					    : NULL;
		if (!re || (ps[i].context && !ctx))
			return -1;
		if (ctx && !regex_search(ctx, rs->u->data, rs->u->len))
			continue;
		int name = regex_group_number(re, "name"), def = regex_group_number(re, "def");
		int cols = regex_group_number(re, "cols");
		struct regex_iter it;
		regex_iter_init(&it, re, rs->u->data, rs->u->len);
		while (!rs->rc && regex_iter_next(&it)) {
			size_t a = 0, b = 0, da = 0, db = 0;
			if (ps[i].kind == EV_INDEX && regex_iter_group(&it, cols, &a, &b)) {
				record_index(rs, a, b);
				continue;
			}
			if (!regex_iter_group(&it, name, &a, &b))
				continue;
			regex_iter_group(&it, def, &da, &db);
			/* TypeORM, Doctrine: only decorated columns, not any decorated property. */
			const char *need = ps[i].column ? ps[i].column
				: da < db && rs->u->data[da] == '@' ? typeorm_column_re : NULL;
			struct regex *col = need ? checker_regex(rs->u->scan, rs->r, need) : NULL;
			if (need && !col) {
				rs->rc = -1;
				break;
			}
			if (!col || regex_search(col, rs->u->data + da, db - da))
				record_column(rs, a, b, da, db);
		}
		regex_iter_free(&it);
	}
	return rs->rc;
}

/* Skips white space and SQL comments (-- to the end of the line, slash-star blocks). */
static size_t skip_sql_space(const char *d, size_t at, size_t end)
{
	while (at < end) {
		if (isspace((unsigned char)d[at])) {
			at++;
		} else if (at + 1 < end && d[at] == '-' && d[at + 1] == '-') {
			while (at < end && d[at] != '\n')
				at++;
		} else if (at + 1 < end && d[at] == '/' && d[at + 1] == '*') {
			const char *close = memmem(d + at + 2, end - at - 2, "*/", 2);
			at = close ? (size_t)(close - d) + 2 : end;
		} else {
			break;
		}
	}
	return at;
}

/* The body of CREATE TABLE t ( ... ): each top-level definition is a column or a
 * constraint. */
static void read_table(struct refscan *rs, size_t open)
{
	const char *d = rs->u->data;
	size_t depth = 0, item = open + 1;
	for (size_t i = open; i < rs->u->len && !rs->rc; i++) {
		if (d[i] == '(')
			depth++;
		else if (d[i] == ')')
			depth--;
		if (!((d[i] == ',' && depth == 1) || (d[i] == ')' && depth == 0)))
			continue;
		size_t s = skip_sql_space(d, item, i);
		size_t e = s;
		while (e < i && (isalnum((unsigned char)d[e]) || strchr("_`\"[]", d[e])))
			e++;
		char word[64];
		normalise(d + s, e - s, word, sizeof word);
		static const char *const constraints[] = {"constraint", "unique", "primary",
							  "index", "key", "foreign", "check", NULL};
		bool constraint = false;
		for (size_t k = 0; constraints[k]; k++)
			constraint |= !strcmp(word, constraints[k]);
		if (constraint) {
			const char *p = memchr(d + s, '(', i - s);
			if (p && strcmp(word, "foreign") && strcmp(word, "check"))
				record_index(rs, (size_t)(p - d), i);
		} else {
			struct regex_iter it;
			regex_iter_init(&it, rs->name_re, d + s, e - s);
			size_t a, b;
			if (regex_iter_next(&it) && regex_iter_group(&it, 0, &a, &b) && a <= 1 &&
			    b >= e - s - 1)
				record_column(rs, s + a, s + b, e, i);
			regex_iter_free(&it);
		}
		item = i + 1;
		if (depth == 0)
			break;
	}
}

static int read_sql(struct refscan *rs, const char *create_table)
{
	struct regex *re = checker_regex(rs->u->scan, rs->r, create_table);
	if (!re)
		return -1;
	struct regex_iter it;
	regex_iter_init(&it, re, rs->u->data, rs->u->len);
	while (!rs->rc && regex_iter_next(&it)) {
		size_t a, b;
		regex_iter_group(&it, 0, &a, &b);
		read_table(rs, b - 1);
	}
	regex_iter_free(&it);
	return rs->rc ? rs->rc : run_patterns(rs, sql_patterns);
}

/* Laravel, Phinx and Doctrine in PHP; Django, SQLAlchemy, Alembic and Peewee in Python;
 * and the SQL of their strings (dbDelta, addSql, op.execute, RunSQL). */
static int read_script(struct refscan *rs)
{
	struct regex *sql_indexed = rs->indexed;
	if (!(rs->indexed = checker_regex(rs->u->scan, rs->r, script_indexed_re)))
		return -1;
	rs->covers = true;
	run_patterns(rs, rs->u->lang == LANG_PHP ? php_patterns : python_patterns);
	rs->indexed = sql_indexed;
	rs->covers = false;
	return rs->rc ? rs->rc : read_sql(rs, script_create_table_re);
}

static bool has_suffix(const char *path, const char *suffix)
{
	size_t n = strlen(path), m = strlen(suffix);
	return n >= m && !strcmp(path + n - m, suffix);
}

int oc011_ref_index_unit(struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)d;
	/* The <script> blocks of a PHP page hold no schema: its PHP reading judged it. */
	if (u->scan->partial_tree || u->php_scripts)
		return 0;
	struct refscan rs = {.u = u, .r = r};
	if (!(rs.indexed = checker_regex(u->scan, r, indexed_re)) ||
	    !(rs.name_re = checker_regex(u->scan, r, "\\b" REF_NAME "\\b")))
		return -1;
	if (has_suffix(u->path, ".prisma")) {
		run_patterns(&rs, prisma_patterns);
	} else if (u->lang == LANG_PHP || u->lang == LANG_PYTHON) {
		read_script(&rs);
	} else if (!lang_is_js(u->lang)) {
		if (has_suffix(u->path, ".sql"))
			read_sql(&rs, create_table_re);
	} else {
		struct regex *schema = checker_regex(u->scan, r, js_schema_re);
		if (!schema)
			rs.rc = -1;
		else if (regex_search(schema, u->data, u->len) && !run_patterns(&rs, js_patterns))
			read_sql(&rs, create_table_re); /* raw SQL in migrations: knex.raw, queryRunner.query */
	}
	return rs.rc;
}

static bool name_indexed(const struct scan *s, const struct rule *r, const char *norm)
{
	for (size_t i = 0; i < s->nevidence; i++) {
		const struct scan_evidence *e = &s->evidence[i];
		if (e->rule != r || e->kind != EV_INDEX)
			continue;
		size_t n = strcspn(e->text, "\t");
		if (n == strlen(norm) && !strncmp(e->text, norm, n))
			return true;
	}
	return false;
}

/* Drops the columns an index of another file (a later migration) covers; the first
 * indexed column is kept in *indexed_at for the checklist. */
static size_t drop_indexed(struct scan *s, const struct rule *r, char *indexed_at, size_t size)
{
	size_t kept = 0, left = 0;
	for (size_t i = 0; i < s->findings.len; i++) {
		struct finding *f = &s->findings.items[i];
		char norm[64];
		normalise(f->match, strlen(f->match), norm, sizeof norm);
		if (f->rule == r && name_indexed(s, r, norm)) {
			if (!indexed_at[0])
				snprintf(indexed_at, size, "%s is indexed (%s:%d)", f->match, f->path,
					 f->line);
			finding_clear(f);
			continue;
		}
		left += f->rule == r;
		s->findings.items[kept++] = *f;
	}
	s->findings.len = kept;
	return left;
}

int oc011_ref_index_finish(struct scan *s, const struct rule *r)
{
	size_t columns = 0;
	char detail[4200] = "";
	for (size_t i = 0; i < s->nevidence; i++) {
		const struct scan_evidence *e = &s->evidence[i];
		if (e->rule != r || e->kind == EV_INDEX)
			continue;
		columns++;
		if (e->kind == EV_INDEXED_COLUMN && !detail[0])
			snprintf(detail, sizeof detail, "%s is indexed (%s:%d)",
				 strchr(e->text, '\t') + 1, e->path, e->line);
	}
	if (!columns) {
		if (!s->ocpay_seen || !scan_rule_applies(s, r))
			return 0;
		return scan_note_unknown(
			s, r,
			"no schema or migration with a payment reference column found (SQL, Prisma, "
			"Mongoose, Sequelize, TypeORM, Drizzle, Knex, Laravel, Doctrine, Django, "
			"SQLAlchemy, Alembic, Peewee): whether paymentRef lookups are indexed cannot "
			"be told");
	}
	if (drop_indexed(s, r, detail, sizeof detail))
		return 0;
	return detail[0] ? scan_note_rule(s, r, NOTE_DETAIL, detail) : 0;
}
