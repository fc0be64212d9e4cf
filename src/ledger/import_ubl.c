/* import_ubl.c — PEPPOL BIS 3 (UBL 2.1) Order and Despatch Advice as ledger rows.
 *
 * A supplier's e-commerce system already sends the city PEPPOL documents
 * (via SFTI in Sweden): the Order says what was bought, for which delivery
 * location and when; the Despatch Advice says what is on its way or was
 * delivered, with gross weight, volume, handling units and carrier.  Rather
 * than a second validation path, each document is turned into the same rows
 * a CSV file would give (an Order into one `orders` row per line, a Despatch
 * Advice into one `deliveries` row) and handed to the kind's checks.
 *
 * Elements are matched on namespace URI and local name, never on prefix.
 * Parties and locations are resolved to the ledger's ids through their GLN
 * (schemeID 0088), organisation number (0007) or the ext id itself.  Errors
 * carry the line of the element they come from.  Field map: the OpenPeppol
 * BIS Order 3 and Despatch Advice 3 syntax (T01, T16, T120). */
#include "internal.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#define NS_CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define NS_CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#define NS_ORDER "urn:oasis:names:specification:ubl:schema:xsd:Order-2"
#define NS_DESPATCH "urn:oasis:names:specification:ubl:schema:xsd:DespatchAdvice-2"
#define MAX_DOC (64 * 1024 * 1024)

/* Follow a path like "cac:Delivery/cac:DeliveryLocation/cbc:ID". */
static xmlNode *at(xmlNode *n, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *save = NULL, *step = strtok_r(buf, "/", &save); n && step;
	     step = strtok_r(NULL, "/", &save)) {
		const char *ns = strncmp(step, "cac:", 4) == 0 ? NS_CAC : NS_CBC;
		const char *local = step + 4;
		xmlNode *c = n->children;
		for (; c; c = c->next)
			if (c->type == XML_ELEMENT_NODE && c->ns && strcmp((const char *)c->ns->href, ns) == 0 &&
			    strcmp((const char *)c->name, local) == 0)
				break;
		n = c;
	}
	return n;
}

/* The trimmed text of an element, copied into the arena ("" if none). */
static const char *text(sl_arena *a, xmlNode *n)
{
	if (!n)
		return "";
	xmlChar *t = xmlNodeGetContent(n);
	if (!t)
		return "";
	const char *s = (const char *)t, *e = s + strlen(s);
	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	char *out = sl_arena_strndup(a, s, (size_t)(e - s));
	xmlFree(t);
	return out ? out : "";
}

static const char *attr(xmlNode *n, const char *name)
{
	if (!n)
		return NULL;
	for (xmlAttr *a = n->properties; a; a = a->next)
		if (strcmp((const char *)a->name, name) == 0 && a->children)
			return (const char *)a->children->content;
	return NULL;
}

/* Set column `fi` of the row from a string and the element's line. */
static void put(struct lrow *r, int fi, const char *v, xmlNode *from)
{
	if (fi < 0 || !v || !*v)
		return;
	r->v[fi] = v;
	r->line[fi] = from ? (long)xmlGetLineNo(from) : r->rec_line;
	r->col[fi] = 1;
}

static int fidx(struct lctx *c, const char *name)
{
	const struct kind_spec *ks = ledger_kind_spec(c->o->kind);
	for (int i = 0; i < ks->nfields; i++)
		if (strcmp(ks->fields[i].name, name) == 0)
			return i;
	return -1;
}

/* An id as the ledger knows it: a GLN, an organisation number (10 digits,
 * written NNNNNN-NNNN in the ledger) or the ext id itself. */
static const char *resolve(struct lctx *c, sl_arena *a, const char *table, const char *id)
{
	if (!id || !*id)
		return NULL;
	char orgnr[16] = "";
	if (strlen(id) == 10 && strspn(id, "0123456789") == 10)
		snprintf(orgnr, sizeof orgnr, "%.6s-%.4s", id, id + 6);
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT ext_id FROM %s WHERE gln = ?1 OR ext_id = ?1%s", table,
		 strcmp(table, "organisations") == 0 ? " OR org_number = ?2 OR org_number = ?1" : "");
	sl_stmt *s = cached_stmt(c, sql, NULL);
	if (!s)
		return id;
	sl_stmt_bind_text(s, 1, id);
	if (strcmp(table, "organisations") == 0)
		sl_stmt_bind_text(s, 2, orgnr);
	const char *out = id;
	if (sl_stmt_step(s, NULL) == 1 && sl_stmt_text(s, 0))
		out = sl_arena_strdup(a, sl_stmt_text(s, 0));
	sl_stmt_reset(s);
	return out ? out : id;
}

/* A party's id: PartyIdentification, EndpointID or the legal entity's
 * CompanyID, the first one the ledger knows (else the first given). */
static const char *party(struct lctx *c, sl_arena *a, xmlNode *p, xmlNode **from)
{
	static const char *const paths[] = {"cac:PartyIdentification/cbc:ID", "cbc:EndpointID",
					    "cac:PartyLegalEntity/cbc:CompanyID"};
	const char *first = NULL;
	*from = p;
	for (size_t i = 0; p && i < sizeof paths / sizeof paths[0]; i++) {
		xmlNode *n = at(p, paths[i]);
		const char *id = text(a, n);
		if (!*id)
			continue;
		const char *r = resolve(c, a, "organisations", id);
		if (r != id) {
			*from = n;
			return r;
		}
		if (!first) {
			first = id;
			*from = n;
		}
	}
	return first;
}

/* "2025-03-03" + "07:05:00+01:00" → "2025-03-03T07:05:00+01:00". */
static const char *stamp(sl_arena *a, const char *date, const char *time)
{
	if (!*date)
		return "";
	if (!*time)
		return date;
	size_t n = strlen(date) + strlen(time) + 2;
	char *s = sl_arena_alloc(a, n);
	if (s)
		snprintf(s, n, "%sT%s", date, time);
	return s ? s : date;
}

static const char *hhmm(sl_arena *a, const char *time)
{
	return strlen(time) >= 5 ? sl_arena_strndup(a, time, 5) : "";
}

static int currency_error(struct lctx *c, xmlNode *root, sl_arena *a, struct lrow *r)
{
	xmlNode *cur = at(root, "cbc:DocumentCurrencyCode");
	char code[8];
	snprintf(code, sizeof code, "%s", text(a, cur));
	if (code[0] && strcmp(code, "SEK") != 0) {
		r->rec_line = (long)xmlGetLineNo(cur);
		lrow_error(c, r, -1, "amounts are in %s; samlast keeps money in SEK (convert before import)", code);
		return 1;
	}
	return 0;
}

/* ---- Order (T01) → orders rows -------------------------------------------- */

static int order_rows(struct lctx *c, xmlNode *root, sl_arena *a)
{
	struct lrow hdr;
	memset(&hdr, 0, sizeof hdr);
	hdr.rec_line = (long)xmlGetLineNo(root);
	hdr.rec_col = 1;
	xmlNode *from = NULL;
	put(&hdr, fidx(c, "id"), text(a, at(root, "cbc:ID")), at(root, "cbc:ID"));
	const char *sup = party(c, a, at(root, "cac:SellerSupplierParty/cac:Party"), &from);
	put(&hdr, fidx(c, "supplier"), sup, from);
	static const char *const loc[] = {"cac:Delivery/cac:DeliveryLocation/cbc:ID",
					  "cac:Delivery/cac:DeliveryParty/cac:PartyIdentification/cbc:ID",
					  "cac:OriginatorCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID"};
	for (size_t i = 0; i < sizeof loc / sizeof loc[0]; i++) {
		xmlNode *n = at(root, loc[i]);
		if (n && *text(a, n)) {
			put(&hdr, fidx(c, "site"), resolve(c, a, "sites", text(a, n)), n);
			break;
		}
	}
	/* the Order carries no category: take the supplier's main category, or
	 * "uncategorised" (then it matches no contract's category) */
	const char *category = "uncategorised";
	if (sup) {
		sl_stmt *s = cached_stmt(c, "SELECT category FROM organisations WHERE ext_id = ?1", NULL);
		if (s) {
			sl_stmt_bind_text(s, 1, sup);
			if (sl_stmt_step(s, NULL) == 1 && sl_stmt_text(s, 0) && *sl_stmt_text(s, 0))
				category = sl_arena_strdup(a, sl_stmt_text(s, 0));
			sl_stmt_reset(s);
		}
	}
	put(&hdr, fidx(c, "category"), category ? category : "uncategorised", root);
	xmlNode *idate = at(root, "cbc:IssueDate");
	put(&hdr, fidx(c, "ordered_at"), stamp(a, text(a, idate), text(a, at(root, "cbc:IssueTime"))), idate);
	xmlNode *req = at(root, "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate");
	put(&hdr, fidx(c, "requested_date"), text(a, req), req);
	if (currency_error(c, root, a, &hdr))
		return 0;
	int lines = 0;
	for (xmlNode *ol = root->children; ol; ol = ol->next) {
		if (ol->type != XML_ELEMENT_NODE || strcmp((const char *)ol->name, "OrderLine") != 0 ||
		    !ol->ns || strcmp((const char *)ol->ns->href, NS_CAC) != 0)
			continue;
		xmlNode *li = at(ol, "cac:LineItem");
		struct lrow r = hdr;
		r.rec_line = (long)xmlGetLineNo(ol);
		xmlNode *n = at(li, "cbc:ID");
		put(&r, fidx(c, "line_id"), text(a, n), n);
		put(&r, fidx(c, "item"), text(a, at(li, "cac:Item/cbc:Name")), at(li, "cac:Item/cbc:Name"));
		xmlNode *g = at(li, "cac:Item/cac:StandardItemIdentification/cbc:ID");
		put(&r, fidx(c, "gtin"), text(a, g), g);
		xmlNode *q = at(li, "cbc:Quantity");
		put(&r, fidx(c, "quantity"), text(a, q), q);
		put(&r, fidx(c, "unit_code"), attr(q, "unitCode"), q);
		xmlNode *lr = at(li, "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate");
		if (lr && *text(a, lr))
			put(&r, fidx(c, "requested_date"), text(a, lr), lr);
		/* value: the line amount, else price × quantity ÷ base quantity */
		xmlNode *amt = at(li, "cbc:LineExtensionAmount");
		const char *value = text(a, amt);
		if (!*value) {
			xmlNode *pr = at(li, "cac:Price/cbc:PriceAmount");
			double p, qty, base = 1;
			if (pr && sl_parse_double(text(a, pr), 0, &p, NULL) == 0 &&
			    sl_parse_double(text(a, q), 0, &qty, NULL) == 0) {
				xmlNode *bq = at(li, "cac:Price/cbc:BaseQuantity");
				if (bq && sl_parse_double(text(a, bq), 0, &base, NULL) != 0)
					base = 1;
				char *v = sl_arena_alloc(a, 32);
				if (v && base > 0) {
					snprintf(v, 32, "%.2f", p * qty / base);
					value = v;
				}
				amt = pr;
			}
		}
		put(&r, fidx(c, "line_value_sek"), value, amt ? amt : li);
		int rc = ledger_kind_spec(c->o->kind)->apply(c, &r);
		c->res->rows++;
		lines++;
		if (rc)
			return rc;
	}
	if (!lines)
		lrow_error(c, &hdr, -1, "the Order has no OrderLine");
	return 0;
}

/* ---- Despatch Advice (T16/T120) → one deliveries row ----------------------- */

static const char *measure(sl_arena *a, xmlNode *n, int volume)
{
	const char *v = text(a, n), *unit = attr(n, "unitCode");
	double d;
	if (!*v || !unit || sl_parse_double(v, 0, &d, NULL) != 0)
		return v;
	double f = 1;
	if (!volume && strcmp(unit, "TNE") == 0)
		f = 1000;
	else if (!volume && strcmp(unit, "GRM") == 0)
		f = 0.001;
	else if (volume && (strcmp(unit, "LTR") == 0 || strcmp(unit, "DMQ") == 0))
		f = 0.001;
	else if ((!volume && strcmp(unit, "KGM") != 0) || (volume && strcmp(unit, "MTQ") != 0))
		return "unit"; /* refused below with the unit named */
	char *s = sl_arena_alloc(a, 32);
	if (s)
		snprintf(s, 32, "%.6g", d * f);
	return s ? s : v;
}

static int despatch_row(struct lctx *c, xmlNode *root, sl_arena *a)
{
	struct lrow r;
	memset(&r, 0, sizeof r);
	r.rec_line = (long)xmlGetLineNo(root);
	r.rec_col = 1;
	xmlNode *from = NULL, *n;
	put(&r, fidx(c, "id"), text(a, at(root, "cbc:ID")), at(root, "cbc:ID"));
	put(&r, fidx(c, "supplier"), party(c, a, at(root, "cac:DespatchSupplierParty/cac:Party"), &from), from);
	xmlNode *ship = at(root, "cac:Shipment");
	xmlNode *carrier = at(ship, "cac:Consignment/cac:CarrierParty");
	if (carrier && at(carrier, "cac:PartyIdentification/cbc:ID"))
		put(&r, fidx(c, "carrier"), party(c, a, carrier, &from), from);
	n = at(ship, "cac:Delivery/cac:DeliveryLocation/cbc:ID");
	if (!n || !*text(a, n))
		n = at(root, "cac:DeliveryCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID");
	if (!n || !*text(a, n))
		n = at(root, "cac:DeliveryCustomerParty/cac:Party/cbc:EndpointID");
	put(&r, fidx(c, "site"), resolve(c, a, "sites", text(a, n)), n);
	/* delivered (actual) or announced (estimated, else the issue date) */
	xmlNode *del = at(ship, "cac:Delivery");
	xmlNode *ad = at(del, "cbc:ActualDeliveryDate");
	xmlNode *est = at(del, "cac:EstimatedDeliveryPeriod");
	if (ad && *text(a, ad)) {
		put(&r, fidx(c, "delivered_at"), stamp(a, text(a, ad), text(a, at(del, "cbc:ActualDeliveryTime"))), ad);
		put(&r, fidx(c, "status"), "delivered", ad);
	} else if (est && *text(a, at(est, "cbc:StartDate"))) {
		put(&r, fidx(c, "delivered_at"),
		    stamp(a, text(a, at(est, "cbc:StartDate")), text(a, at(est, "cbc:StartTime"))), est);
		put(&r, fidx(c, "status"), "announced", est);
	} else {
		xmlNode *d = at(root, "cbc:IssueDate");
		put(&r, fidx(c, "delivered_at"), text(a, d), d);
		put(&r, fidx(c, "status"), "announced", d);
	}
	if (est && *text(a, at(est, "cbc:StartTime")) && *text(a, at(est, "cbc:EndTime")) &&
	    strcmp(text(a, at(est, "cbc:StartDate")), text(a, at(est, "cbc:EndDate"))) == 0) {
		put(&r, fidx(c, "window_from"), hhmm(a, text(a, at(est, "cbc:StartTime"))), est);
		put(&r, fidx(c, "window_to"), hhmm(a, text(a, at(est, "cbc:EndTime"))), est);
	}
	n = at(ship, "cbc:GrossWeightMeasure");
	const char *kg = measure(a, n, 0);
	if (strcmp(kg, "unit") == 0) {
		put(&r, fidx(c, "mass_kg"), "?", n);
		lrow_error(c, &r, fidx(c, "mass_kg"), "gross weight in unit '%s' (expected KGM, TNE or GRM)",
			   attr(n, "unitCode"));
		kg = "";
	}
	put(&r, fidx(c, "mass_kg"), kg, n);
	n = at(ship, "cbc:GrossVolumeMeasure");
	const char *m3 = measure(a, n, 1);
	if (strcmp(m3, "unit") == 0) {
		put(&r, fidx(c, "volume_m3"), "?", n);
		lrow_error(c, &r, fidx(c, "volume_m3"), "gross volume in unit '%s' (expected MTQ, LTR or DMQ)",
			   attr(n, "unitCode"));
		m3 = "";
	}
	put(&r, fidx(c, "volume_m3"), m3, n);
	n = at(ship, "cbc:TotalTransportHandlingUnitQuantity");
	if (n) {
		put(&r, fidx(c, "parcels"), text(a, n), n);
	} else {
		/* count the handling units (T120: under the shipment; T16: per line) */
		long thu = 0;
		for (xmlNode *k = ship ? ship->children : NULL; k; k = k->next)
			thu += k->type == XML_ELEMENT_NODE && strcmp((const char *)k->name, "TransportHandlingUnit") == 0;
		for (xmlNode *l = root->children; l; l = l->next)
			if (l->type == XML_ELEMENT_NODE && strcmp((const char *)l->name, "DespatchLine") == 0)
				for (xmlNode *k = at(l, "cac:Shipment") ? at(l, "cac:Shipment")->children : NULL; k; k = k->next)
					thu += k->type == XML_ELEMENT_NODE &&
					       strcmp((const char *)k->name, "TransportHandlingUnit") == 0;
		if (thu) {
			char *s = sl_arena_alloc(a, 24);
			if (s) {
				snprintf(s, 24, "%ld", thu);
				put(&r, fidx(c, "parcels"), s, ship);
			}
		}
	}
	/* the orders: header reference and line-level ones, each once */
	sl_buf orders = {0};
	xmlNode *first_ref = NULL;
	for (int pass = 0; pass < 2; pass++) {
		for (xmlNode *k = root->children; k; k = k->next) {
			if (k->type != XML_ELEMENT_NODE)
				continue;
			xmlNode *ref = NULL;
			if (pass == 0 && strcmp((const char *)k->name, "OrderReference") == 0)
				ref = at(k, "cbc:ID");
			else if (pass == 1 && strcmp((const char *)k->name, "DespatchLine") == 0)
				ref = at(k, "cac:OrderLineReference/cac:OrderReference/cbc:ID");
			const char *id = text(a, ref);
			if (!*id || strcmp(id, "NA") == 0)
				continue;
			char needle[256];
			snprintf(needle, sizeof needle, "|%s|", id);
			sl_buf probe = {0};
			sl_buf_printf(&probe, "|%s|", orders.data ? orders.data : "");
			int dup = probe.data && strstr(probe.data, needle) != NULL;
			sl_buf_free(&probe);
			if (!dup)
				sl_buf_printf(&orders, "%s%s", orders.len ? "|" : "", id);
			if (!first_ref)
				first_ref = ref;
		}
	}
	if (orders.len)
		put(&r, fidx(c, "orders"), sl_arena_strdup(a, orders.data), first_ref);
	sl_buf_free(&orders);
	c->res->rows++;
	return ledger_kind_spec(c->o->kind)->apply(c, &r);
}

int ledger_import_ubl(struct lctx *c, sl_ledger_read_fn read, void *ctx)
{
	sl_buf doc = {0};
	char buf[65536];
	for (;;) {
		size_t n = read(ctx, buf, sizeof buf);
		if (n == (size_t)-1) {
			sl_buf_free(&doc);
			return SL_EIO;
		}
		if (n == 0)
			break;
		if (doc.len + n > MAX_DOC) {
			sl_buf_free(&doc);
			struct lrow r = {.rec_line = 1, .rec_col = 1, .bad = 1};
			lrow_error(c, &r, -1, "an XML document larger than 64 MiB is not accepted");
			return 0;
		}
		if (sl_buf_append(&doc, buf, n)) {
			sl_buf_free(&doc);
			return SL_ENOMEM;
		}
	}
	struct lrow top = {.rec_line = 1, .rec_col = 1, .bad = 1};
	/* no network, no entity expansion (XXE), no DTD loading */
	xmlDoc *d = doc.len ? xmlReadMemory(doc.data, (int)doc.len, c->name, NULL,
					    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
			    : NULL;
	if (!d) {
		const xmlError *xe = xmlGetLastError();
		top.rec_line = xe && xe->line > 0 ? xe->line : 1;
		top.rec_col = xe && xe->int2 > 0 ? xe->int2 : 1;
		lrow_error(c, &top, -1, "invalid XML: %s",
			   xe && xe->message ? xe->message : "empty document");
		sl_buf_free(&doc);
		return 0;
	}
	xmlNode *root = xmlDocGetRootElement(d);
	sl_arena *a = sl_arena_new(16384);
	int rc = 0;
	const char *ns = root && root->ns ? (const char *)root->ns->href : "";
	const char *name = root ? (const char *)root->name : "";
	int is_order = strcmp(ns, NS_ORDER) == 0 && strcmp(name, "Order") == 0;
	int is_despatch = strcmp(ns, NS_DESPATCH) == 0 && strcmp(name, "DespatchAdvice") == 0;
	if (!a) {
		rc = SL_ENOMEM;
	} else if (c->o->kind == SL_KIND_ORDERS && is_order) {
		rc = order_rows(c, root, a);
	} else if (c->o->kind == SL_KIND_DELIVERIES && is_despatch) {
		rc = despatch_row(c, root, a);
	} else {
		top.rec_line = root ? (long)xmlGetLineNo(root) : 1;
		lrow_error(c, &top, -1,
			   "a UBL %s (%s) cannot be imported as %s: use an Order for orders and a "
			   "Despatch Advice for deliveries",
			   *name ? name : "document", *ns ? ns : "no namespace", ledger_kind_spec(c->o->kind)->name);
	}
	sl_arena_free(a);
	xmlFreeDoc(d);
	sl_buf_free(&doc);
	return rc;
}
