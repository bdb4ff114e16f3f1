// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * YAML to a node tree for the policy readers; see yaml_tree.h. What is
 * refused here is refused for every YAML format the tool reads.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "yaml_tree.h"

/* libyaml marks are 0-based, messages 1-based. */
#define MARK_LINE(m) ((unsigned int)(m).line + 1)
#define MARK_COLUMN(m) ((unsigned int)(m).column + 1)

struct reader {
	struct yaml_tree_diag *d;
	const unsigned char *buf; /* the input, to place reader errors */
	size_t len;
};

/* ---- diagnostics ---- */

void yaml_tree_diag_init(struct yaml_tree_diag *d, const char *source, char *msg, size_t size)
{
	*d = (struct yaml_tree_diag){ .source = source, .msg = msg, .size = size };
	if (msg && size)
		msg[0] = '\0';
}

int yaml_tree_error(struct yaml_tree_diag *d, unsigned int line, unsigned int column,
		    const char *fmt, ...)
{
	va_list ap;
	int n;

	d->line = line;
	d->column = column;
	if (!d->msg)
		return -1;
	if (line)
		n = snprintf(d->msg, d->size, "%s:%u:%u: error: ", d->source, line, column);
	else
		n = snprintf(d->msg, d->size, "%s: error: ", d->source);
	if (n >= 0 && (size_t)n < d->size) {
		va_start(ap, fmt);
		vsnprintf(d->msg + n, d->size - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

const char *show_max(const char *s, size_t len, size_t max, char *buf)
{
	size_t i, o = 0, n = len;

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch < 0x20 || ch == 0x7f || ch == '\\' || ch == '\'')
			o += (size_t)sprintf(buf + o, "\\x%02x", ch);
		else
			buf[o++] = (char)ch;
	}
	if (n < len)
		o += (size_t)sprintf(buf + o, "...");
	buf[o] = '\0';
	return buf;
}

const char *show_text(const char *s, size_t len, char *buf)
{
	return show_max(s, len, SHOW_MAX, buf);
}

const char *node_show(const struct node *n, char *buf)
{
	if (n->kind != NODE_SCALAR)
		return n->kind == NODE_MAPPING ? "<mapping>" : "<list>";
	return show_text(n->value, n->len, buf);
}

/* ---- nodes ---- */

void node_free(struct node *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->nr_items; i++)
		node_free(n->items[i]);
	free(n->items);
	free(n->value);
	free(n);
}

static int node_append(struct node *parent, struct node *child)
{
	if (parent->nr_items == parent->cap) {
		size_t cap = parent->cap ? parent->cap * 2 : 8;
		struct node **items = realloc(parent->items, cap * sizeof(*items));

		if (!items)
			return -1;
		parent->items = items;
		parent->cap = cap;
	}
	parent->items[parent->nr_items++] = child;
	return 0;
}

bool node_is_null(const struct node *n)
{
	if (n->kind != NODE_SCALAR || !n->plain)
		return false;
	return !n->len || !strcmp(n->value, "~") || !strcmp(n->value, "null") ||
	       !strcmp(n->value, "Null") || !strcmp(n->value, "NULL");
}

bool node_is_str(const struct node *n, const char *s)
{
	return n->kind == NODE_SCALAR && n->len == strlen(s) && !memcmp(n->value, s, n->len);
}

const struct node *node_earlier_key(const struct node *map, size_t i)
{
	const struct node *key = map->items[i];
	size_t j;

	if (key->kind != NODE_SCALAR)
		return NULL;
	for (j = 0; j < i; j += 2) {
		const struct node *o = map->items[j];

		/* Quoting does not matter: "json" and json are the same key. */
		if (o->kind == NODE_SCALAR && o->len == key->len &&
		    !memcmp(o->value, key->value, key->len))
			return o;
	}
	return NULL;
}

/* ---- YAML to node tree ---- */

static void line_col_at(const struct reader *r, size_t offset, unsigned int *line,
			unsigned int *column)
{
	size_t i;

	*line = 1;
	*column = 1;
	if (offset > r->len)
		offset = r->len;
	for (i = 0; i < offset; i++) {
		unsigned char ch = r->buf[i];

		if (ch == '\n' || (ch == '\r' && (i + 1 >= r->len || r->buf[i + 1] != '\n'))) {
			(*line)++;
			*column = 1;
		} else if ((ch & 0xc0) != 0x80 && ch != '\r') {
			(*column)++; /* count characters, as libyaml marks do */
		}
	}
}

static int parser_error(const struct reader *r, const yaml_parser_t *yp)
{
	const char *problem = yp->problem ? yp->problem : "invalid YAML";
	unsigned int line, column;
	char what[32] = "";

	switch (yp->error) {
	case YAML_MEMORY_ERROR:
		return yaml_tree_error(r->d, 1, 1, "out of memory");
	case YAML_READER_ERROR:
		/* The reader reports a byte offset, not a mark. */
		line_col_at(r, yp->problem_offset, &line, &column);
		if (yp->problem_value > 0xff)
			snprintf(what, sizeof(what), " (U+%04X)", (unsigned int)yp->problem_value);
		else if (yp->problem_value >= 0)
			snprintf(what, sizeof(what), " (byte 0x%02x)",
				 (unsigned int)yp->problem_value);
		return yaml_tree_error(r->d, line, column, "%s%s%s", problem, what,
				       strstr(problem, "UTF-8") || strstr(problem, "Unicode")
					   ? ": a policy must be UTF-8 text"
					   : "");
	default:
		line = MARK_LINE(yp->problem_mark);
		column = MARK_COLUMN(yp->problem_mark);
		if (yp->context)
			return yaml_tree_error(r->d, line, column,
					       "%s (%s that starts at line %zu, column %zu)",
					       problem, yp->context, yp->context_mark.line + 1,
					       yp->context_mark.column + 1);
		return yaml_tree_error(r->d, line, column, "%s", problem);
	}
}

/* Turn one event into a node, or refuse what policies do not support. */
static int event_node(const struct reader *r, const yaml_event_t *ev, struct node **out)
{
	unsigned int line = MARK_LINE(ev->start_mark);
	unsigned int column = MARK_COLUMN(ev->start_mark);
	const yaml_char_t *anchor = NULL, *tag = NULL;
	enum node_kind kind;
	char buf[SHOW_BUF];
	struct node *n;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		kind = NODE_SCALAR;
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		kind = NODE_SEQUENCE;
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		break;
	default:
		kind = NODE_MAPPING;
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		break;
	}
	if (anchor) {
		const char *a = (const char *)anchor;

		return yaml_tree_error(r->d, line, column,
				       "aliases are not supported in policies: remove the anchor "
				       "'&%s'",
				       show_text(a, strlen(a), buf));
	}
	/* A tag could turn `true` into a string behind the reader's back. */
	if (tag) {
		const char *t = (const char *)tag;
		/* Show "!!str" as written rather than the resolved URI. */
		bool core = !strncmp(t, "tag:yaml.org,2002:", 18);

		if (core)
			t += 18;
		return yaml_tree_error(r->d, line, column,
				       "YAML tags are not supported in policies: remove the tag "
				       "'%s%s'",
				       core ? "!!" : "", show_text(t, strlen(t), buf));
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return yaml_tree_error(r->d, line, column, "out of memory");
	n->kind = kind;
	n->line = line;
	n->column = column;
	if (kind == NODE_SCALAR) {
		n->len = ev->data.scalar.length;
		n->value = malloc(n->len + 1);
		if (!n->value) {
			free(n);
			return yaml_tree_error(r->d, line, column, "out of memory");
		}
		memcpy(n->value, ev->data.scalar.value, n->len);
		n->value[n->len] = '\0';
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	}
	*out = n;
	return 0;
}

/* Read the whole stream into *root (NULL when there is no document). */
static int build_tree(const struct reader *r, yaml_parser_t *yp, struct node **root)
{
	struct node *stack[YAML_TREE_MAX_DEPTH];
	unsigned int depth = 0, documents = 0;
	bool done = false;
	int err = 0;

	*root = NULL;
	while (!done && !err) {
		struct node *n = NULL;
		yaml_event_t ev;

		if (!yaml_parser_parse(yp, &ev))
			return parser_error(r, yp);
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++documents > 1)
				err = yaml_tree_error(
				    r->d, MARK_LINE(ev.start_mark), MARK_COLUMN(ev.start_mark),
				    "a policy is a single YAML document: remove this '---' "
				    "and merge what follows into the first document");
			break;
		case YAML_ALIAS_EVENT: {
			const char *a = (const char *)ev.data.alias.anchor;
			char buf[SHOW_BUF];

			err = yaml_tree_error(
			    r->d, MARK_LINE(ev.start_mark), MARK_COLUMN(ev.start_mark),
			    "aliases are not supported in policies: write the value "
			    "out instead of '*%s'",
			    show_text(a, strlen(a), buf));
			break;
		}
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			err = event_node(r, &ev, &n);
			if (err)
				break;
			/* Attach first, so that the tree owns it whatever happens next. */
			if (!depth) {
				*root = n;
			} else if (node_append(stack[depth - 1], n)) {
				node_free(n);
				err = yaml_tree_error(r->d, stack[depth - 1]->line,
						      stack[depth - 1]->column, "out of memory");
				break;
			}
			if (n->kind == NODE_SCALAR)
				break;
			if (depth == YAML_TREE_MAX_DEPTH) {
				err = yaml_tree_error(r->d, n->line, n->column,
						      "the policy nests deeper than %d levels; a "
						      "policy needs 4",
						      YAML_TREE_MAX_DEPTH);
				break;
			}
			stack[depth++] = n;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth)
				depth--;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	return err;
}

/* Parse the input into *root, NULL when there is no document. */
static int parse(struct yaml_tree_diag *d, const void *buf, size_t len, struct node **root)
{
	struct reader r = {
		.d = d,
		.buf = buf ? buf : (const void *)"",
		.len = buf ? len : 0,
	};
	yaml_parser_t yp;
	int err;

	*root = NULL;
	if (len > YAML_TREE_MAX_BYTES)
		return yaml_tree_error(d, 0, 0, "policy is %zu bytes; the limit is 1 MiB", len);
	if (!yaml_parser_initialize(&yp))
		return yaml_tree_error(d, 0, 0, "out of memory");
	yaml_parser_set_input_string(&yp, r.buf, r.len);
	/* Otherwise libyaml would accept UTF-16 after a byte order mark. */
	yaml_parser_set_encoding(&yp, YAML_UTF8_ENCODING);
	err = build_tree(&r, &yp, root);
	yaml_parser_delete(&yp);
	if (err) {
		node_free(*root);
		*root = NULL;
		return -1;
	}
	return 0;
}

/* ---- files ---- */

/* The whole file d->source into *@out (free() it); over the size limit is an error. */
static int read_file(struct yaml_tree_diag *d, char **out, size_t *out_len)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int fd, err = 0;

	*out = NULL;
	*out_len = 0;
	fd = open(d->source, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return yaml_tree_error(d, 0, 0, "cannot read policy: %s", strerror(errno));
	/* Read one byte past the limit to tell "at the limit" from "over it". */
	while (!err) {
		ssize_t n;

		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			char *nbuf;

			if (ncap > YAML_TREE_MAX_BYTES + 1)
				ncap = YAML_TREE_MAX_BYTES + 1;
			if (ncap == cap) {
				err = yaml_tree_error(d, 0, 0,
						      "policy is larger than 1 MiB, the limit");
				break;
			}
			nbuf = realloc(buf, ncap);
			if (!nbuf) {
				err = yaml_tree_error(d, 0, 0, "out of memory");
				break;
			}
			buf = nbuf;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = yaml_tree_error(d, 0, 0, "cannot read policy: %s", strerror(errno));
		else if (!n)
			break;
		else
			len += (size_t)n;
	}
	close(fd);
	if (err) {
		free(buf);
		return -1;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

int yaml_tree_read(struct yaml_tree_diag *d, const void *buf, size_t len, yaml_tree_fn fn,
		   void *arg)
{
	struct node *root;
	int err;

	if (parse(d, buf, len, &root))
		return -1;
	err = fn(root, arg);
	node_free(root);
	return err;
}

int yaml_tree_read_file(struct yaml_tree_diag *d, yaml_tree_fn fn, void *arg)
{
	size_t len;
	char *buf;
	int err;

	if (read_file(d, &buf, &len))
		return -1;
	err = yaml_tree_read(d, buf, len, fn, arg);
	free(buf);
	return err;
}
