/* graph_file.c — the graph file: build orchestration, the segment grid,
 * writing, and opening by mmap with full validation.
 *
 * Layout (little-endian, every section 8-byte aligned):
 *   512-byte header: magic "SLROUTE\0", format version, header size, file
 *   size, CRC-32 of the header (with that field zero) and of the body,
 *   profile name, counts, grid parameters, bounding box, and an
 *   offset/length table of the sections below;
 *   sections: points, cumulative durations, cumulative distances, point→
 *   edge, edges, node→edge, original arcs (offsets, targets), upward
 *   forward arcs (offsets, arcs), upward backward arcs (offsets, arcs),
 *   grid cells (offsets, segments).
 * Opening checks the magic, version, sizes, both checksums and then every
 * index (offsets monotone, targets in range), so even a file with a
 * forged checksum cannot make a query read out of bounds.  The CRC is the
 * IEEE 802.3 polynomial (reflected 0xEDB88320), computed with a table. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC          "SLROUTE"
#define FORMAT_VERSION 4
#define HEADER_BYTES   512
#define NSEC           20

enum {
	S_PTS,
	S_CDUR,
	S_CDIST,
	S_PTEDGE,
	S_EDGES,
	S_NODEEDGE,
	S_OOFF,
	S_OTGT,
	S_FOFF,
	S_FWD,
	S_BOFF,
	S_BWD,
	S_COFF,
	S_CSEG,
	S_PTOSM,
	S_ENAME,
	S_STROFF,
	S_STR,
	S_DUPS,
	S_COUNT
};
_Static_assert(S_COUNT <= NSEC, "section table fits");

typedef struct fhdr {
	char magic[8];
	uint32_t version, header_bytes;
	uint64_t file_bytes;
	uint32_t crc_header, crc_body;
	uint32_t endian;
	uint32_t uturn_ds;
	char profile[32];
	uint32_t n_nodes, n_edges, n_points, n_arcs, n_fwd, n_bwd, n_shortcuts, n_cellsegs;
	int32_t grid_lon0, grid_lat0, cell_e7;
	uint32_t grid_nx, grid_ny;
	int32_t min_lon, min_lat, max_lon, max_lat;
	uint32_t n_strings, n_chars, n_dups;
	uint64_t off[NSEC], len[NSEC];
} fhdr;

_Static_assert(sizeof(fhdr) <= HEADER_BYTES, "header fits");

uint32_t rg_crc32(uint32_t crc, const void *data, size_t len)
{
	uint32_t t[256];
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		t[i] = c;
	}
	const unsigned char *p = data;
	crc = ~crc;
	while (len--)
		crc = t[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

void rg_data_free(rg_data *d)
{
	free(d->pts);
	free(d->cum_dur);
	free(d->cum_dist);
	free(d->pt_edge);
	free(d->edges);
	free(d->node_edge);
	free(d->orig_off);
	free(d->orig_tgt);
	free(d->fwd_off);
	free(d->fwd);
	free(d->bwd_off);
	free(d->bwd);
	free(d->cell_off);
	free(d->cell_seg);
	free(d->pt_osm);
	free(d->edge_name);
	free(d->str_off);
	free(d->str);
	free(d->dups);
	memset(d, 0, sizeof *d);
}

/* ---- grid ------------------------------------------------------------------ */

static void cell_range(const rg_data *d, uint32_t s, uint32_t *x0, uint32_t *y0, uint32_t *x1,
                       uint32_t *y1)
{
	int32_t ax = d->pts[2 * s], ay = d->pts[2 * s + 1];
	int32_t bx = d->pts[2 * s + 2], by = d->pts[2 * s + 3];
	int64_t lx = ax < bx ? ax : bx, hx = ax < bx ? bx : ax;
	int64_t ly = ay < by ? ay : by, hy = ay < by ? by : ay;
	*x0 = (uint32_t)((lx - d->grid_lon0) / d->cell_e7);
	*x1 = (uint32_t)((hx - d->grid_lon0) / d->cell_e7);
	*y0 = (uint32_t)((ly - d->grid_lat0) / d->cell_e7);
	*y1 = (uint32_t)((hy - d->grid_lat0) / d->cell_e7);
}

static int is_segment(const rg_data *d, uint32_t s)
{
	return s + 1 < d->n_points && d->pt_edge[s] == d->pt_edge[s + 1];
}

int rg_grid_build(rg_data *d, sl_error *err)
{
	double w = (double)d->max_lon - d->min_lon + 1, h = (double)d->max_lat - d->min_lat + 1;
	double nseg = d->n_points > d->n_edges ? d->n_points - d->n_edges : 1;
	double cell = sqrt(w * h / (nseg / 2 + 1));
	if (cell < 20000)
		cell = 20000; /* 0.002 degrees, a city block */
	if (cell > 1e9)
		cell = 1e9; /* 100 degrees: keeps cell_e7 an int32 for world-wide junk */
	d->cell_e7 = (int32_t)cell;
	d->grid_lon0 = d->min_lon;
	d->grid_lat0 = d->min_lat;
	/* with the integer cell size the lookups use (a fractional one made the
	 * last row one short; found by fuzzing) */
	d->grid_nx = (uint32_t)(((int64_t)d->max_lon - d->min_lon) / d->cell_e7) + 1;
	d->grid_ny = (uint32_t)(((int64_t)d->max_lat - d->min_lat) / d->cell_e7) + 1;
	size_t nc = (size_t)d->grid_nx * d->grid_ny;
	d->cell_off = calloc(nc + 2, sizeof *d->cell_off);
	if (!d->cell_off)
		return sl_error_set(err, SL_ENOMEM, "out of memory (grid)");
	uint64_t total = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t s = 0; s + 1 < d->n_points; s++) {
			if (!is_segment(d, s))
				continue;
			uint32_t x0, y0, x1, y1;
			cell_range(d, s, &x0, &y0, &x1, &y1);
			for (uint32_t y = y0; y <= y1; y++)
				for (uint32_t x = x0; x <= x1; x++) {
					size_t c = (size_t)y * d->grid_nx + x;
					if (pass == 0) {
						d->cell_off[c + 1]++;
						total++;
					} else
						d->cell_seg[d->cell_off[c]++] = s;
				}
		}
		if (pass == 0) {
			if (total >= UINT32_MAX)
				return sl_error_set(err, SL_ELIMIT, "grid too large");
			for (size_t c = 0; c < nc; c++)
				d->cell_off[c + 1] += d->cell_off[c];
			d->cell_seg = malloc((total + 1) * sizeof *d->cell_seg);
			if (!d->cell_seg)
				return sl_error_set(err, SL_ENOMEM, "out of memory (grid)");
			d->n_cellsegs = (uint32_t)total;
		}
	}
	/* the fill pass advanced each offset to the next cell's start */
	memmove(d->cell_off + 1, d->cell_off, nc * sizeof *d->cell_off);
	d->cell_off[0] = 0;
	return 0;
}

/* ---- write ------------------------------------------------------------------- */

static void sections(const rg_data *d, const void *ptr[NSEC], uint64_t len[NSEC])
{
	size_t n1 = (size_t)d->n_nodes + 1;
	memset(ptr, 0, NSEC * sizeof *ptr);
	memset(len, 0, NSEC * sizeof *len);
	ptr[S_PTS] = d->pts, len[S_PTS] = 8ull * d->n_points;
	ptr[S_CDUR] = d->cum_dur, len[S_CDUR] = 4ull * d->n_points;
	ptr[S_CDIST] = d->cum_dist, len[S_CDIST] = 4ull * d->n_points;
	ptr[S_PTEDGE] = d->pt_edge, len[S_PTEDGE] = 4ull * d->n_points;
	ptr[S_EDGES] = d->edges, len[S_EDGES] = sizeof(rg_edge) * (uint64_t)d->n_edges;
	ptr[S_NODEEDGE] = d->node_edge, len[S_NODEEDGE] = 4ull * d->n_nodes;
	ptr[S_OOFF] = d->orig_off, len[S_OOFF] = 4ull * n1;
	ptr[S_OTGT] = d->orig_tgt, len[S_OTGT] = 4ull * d->n_arcs;
	ptr[S_FOFF] = d->fwd_off, len[S_FOFF] = 4ull * n1;
	ptr[S_FWD] = d->fwd, len[S_FWD] = sizeof(rg_arc) * (uint64_t)d->n_fwd;
	ptr[S_BOFF] = d->bwd_off, len[S_BOFF] = 4ull * n1;
	ptr[S_BWD] = d->bwd, len[S_BWD] = sizeof(rg_arc) * (uint64_t)d->n_bwd;
	ptr[S_COFF] = d->cell_off, len[S_COFF] = 4ull * ((uint64_t)d->grid_nx * d->grid_ny + 1);
	ptr[S_CSEG] = d->cell_seg, len[S_CSEG] = 4ull * d->n_cellsegs;
	ptr[S_PTOSM] = d->pt_osm, len[S_PTOSM] = 8ull * d->n_points;
	ptr[S_ENAME] = d->edge_name, len[S_ENAME] = 8ull * d->n_edges;
	ptr[S_STROFF] = d->str_off, len[S_STROFF] = 4ull * ((uint64_t)d->n_strings + 1);
	ptr[S_STR] = d->str, len[S_STR] = d->n_chars;
	ptr[S_DUPS] = d->dups, len[S_DUPS] = 8ull * d->n_dups;
}

int rg_write(const rg_data *d, const char *path, sl_error *err)
{
	const void *ptr[NSEC];
	uint64_t len[NSEC];
	sections(d, ptr, len);
	fhdr h;
	memset(&h, 0, sizeof h);
	memcpy(h.magic, MAGIC, 8);
	h.version = FORMAT_VERSION;
	h.header_bytes = HEADER_BYTES;
	h.endian = 0x01020304;
	h.uturn_ds = d->uturn_ds;
	memcpy(h.profile, d->profile, sizeof h.profile);
	h.n_nodes = d->n_nodes, h.n_edges = d->n_edges, h.n_points = d->n_points;
	h.n_arcs = d->n_arcs, h.n_fwd = d->n_fwd, h.n_bwd = d->n_bwd;
	h.n_shortcuts = d->n_shortcuts, h.n_cellsegs = d->n_cellsegs;
	h.grid_lon0 = d->grid_lon0, h.grid_lat0 = d->grid_lat0, h.cell_e7 = d->cell_e7;
	h.grid_nx = d->grid_nx, h.grid_ny = d->grid_ny;
	h.min_lon = d->min_lon, h.min_lat = d->min_lat, h.max_lon = d->max_lon,
	h.max_lat = d->max_lat;
	h.n_strings = d->n_strings, h.n_chars = d->n_chars, h.n_dups = d->n_dups;
	uint64_t off = HEADER_BYTES;
	uint32_t crc = 0;
	static const char zeros[8] = {0};
	for (int s = 0; s < S_COUNT; s++) {
		h.off[s] = off;
		h.len[s] = len[s];
		crc = rg_crc32(crc, ptr[s], len[s]);
		uint64_t pad = (8 - len[s] % 8) % 8;
		crc = rg_crc32(crc, zeros, pad);
		off += len[s] + pad;
	}
	h.file_bytes = off;
	h.crc_body = crc;
	char hb[HEADER_BYTES];
	memset(hb, 0, sizeof hb);
	memcpy(hb, &h, sizeof h);
	h.crc_header = rg_crc32(0, hb, sizeof hb);
	memcpy(hb, &h, sizeof h);

	char tmp[1100];
	if (snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof tmp)
		return sl_error_set(err, SL_EINVAL, "output path too long");
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return sl_error_set(err, SL_EIO, "%s: cannot create: %s", path, strerror(errno));
	int ok = fwrite(hb, 1, sizeof hb, f) == sizeof hb;
	for (int s = 0; s < S_COUNT && ok; s++) {
		uint64_t pad = (8 - len[s] % 8) % 8;
		ok = (len[s] == 0 || fwrite(ptr[s], 1, len[s], f) == len[s]) &&
		     (pad == 0 || fwrite(zeros, 1, pad, f) == pad);
	}
	if (fclose(f) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		return sl_error_set(err, SL_EIO, "%s: cannot write: %s", path, strerror(e));
	}
	return 0;
}

/* ---- build ------------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int sl_route_graph_build(const char *osm_path, const sl_route_profile *profile,
                         const char *out_path, sl_route_progress_fn progress, void *progress_user,
                         sl_route_build_stats *stats, sl_error *err)
{
	sl_route_build_stats local;
	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof *stats);
	rg_data d;
	memset(&d, 0, sizeof d);
	double t0 = now_s();
	int rc = rg_import(osm_path, profile, &d, stats, progress, progress_user, err);
	double t1 = now_s();
	stats->read_s = t1 - t0; /* reading and graph building share one pass */
	if (rc == 0)
		rc = rg_contract(&d, progress, progress_user, err);
	double t2 = now_s();
	stats->contract_s = t2 - t1;
	stats->shortcuts = d.n_shortcuts;
	if (rc == 0)
		rc = rg_grid_build(&d, err);
	if (rc == 0) {
		if (progress)
			progress(progress_user, "write", 0.0);
		rc = rg_write(&d, out_path, err);
		if (progress && rc == 0)
			progress(progress_user, "write", 1.0);
	}
	stats->write_s = now_s() - t2;
	rg_data_free(&d);
	return rc;
}

/* ---- open ---------------------------------------------------------------------- */

static int check_csr(const uint32_t *off, uint32_t n, uint32_t total)
{
	if (off[0] != 0 || off[n] != total)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		if (off[i] > off[i + 1])
			return -1;
	return 0;
}

static int check_arcs(const rg_arc *a, uint32_t m, uint32_t n)
{
	for (uint32_t i = 0; i < m; i++)
		if (a[i].other >= n || (a[i].middle != RG_NONE && a[i].middle >= n))
			return -1;
	return 0;
}

static const char *validate(const rg_data *d)
{
	if (d->n_nodes == 0 || d->n_edges == 0 || d->n_points < 2)
		return "empty graph";
	if (check_csr(d->orig_off, d->n_nodes, d->n_arcs) ||
	    check_csr(d->fwd_off, d->n_nodes, d->n_fwd) ||
	    check_csr(d->bwd_off, d->n_nodes, d->n_bwd))
		return "bad arc offsets";
	for (uint32_t i = 0; i < d->n_arcs; i++)
		if (d->orig_tgt[i] >= d->n_nodes)
			return "arc target out of range";
	if (check_arcs(d->fwd, d->n_fwd, d->n_nodes) || check_arcs(d->bwd, d->n_bwd, d->n_nodes))
		return "shortcut out of range";
	for (uint32_t i = 0; i < d->n_edges; i++) {
		const rg_edge *e = &d->edges[i];
		if (e->count < 2 || e->first >= d->n_points || e->count > d->n_points - e->first ||
		    e->factor == 0 || e->factor > 100)
			return "bad edge";
		for (int k = 0; k < 2; k++)
			if (e->ebn[k] != RG_NONE &&
			    (e->ebn[k] >= d->n_nodes ||
			     d->node_edge[e->ebn[k]] != (i << 1 | (uint32_t)k)))
				return "bad edge direction";
		for (uint32_t p = e->first; p < e->first + e->count; p++)
			if (d->pt_edge[p] != i ||
			    (p > e->first && (d->cum_dur[p] < d->cum_dur[p - 1] ||
			                      d->cum_dist[p] < d->cum_dist[p - 1])))
				return "bad edge geometry";
		if (d->cum_dur[e->first] != 0 || d->cum_dist[e->first] != 0)
			return "bad edge geometry";
	}
	for (uint32_t i = 0; i < d->n_nodes; i++)
		if ((d->node_edge[i] >> 1) >= d->n_edges)
			return "bad node";
	uint32_t primaries = 0;
	for (uint32_t i = 0; i < d->n_nodes; i++) {
		const rg_edge *e = &d->edges[d->node_edge[i] >> 1];
		primaries += e->ebn[d->node_edge[i] & 1] == i;
	}
	if (primaries + d->n_dups != d->n_nodes)
		return "bad node";
	for (uint32_t i = 0; i < d->n_dups; i++) {
		uint32_t o = d->dups[2 * i], x = d->dups[2 * i + 1];
		if (o >= d->n_nodes || x >= d->n_nodes || d->node_edge[o] != d->node_edge[x] ||
		    d->edges[d->node_edge[x] >> 1].ebn[d->node_edge[x] & 1] == x ||
		    (i > 0 && d->dups[2 * i - 2] > o))
			return "bad restriction duplicate";
	}
	if (d->cell_e7 <= 0 || d->grid_nx == 0 || d->grid_ny == 0)
		return "bad grid";
	if (check_csr(d->cell_off, d->grid_nx * d->grid_ny, d->n_cellsegs))
		return "bad grid offsets";
	for (uint32_t i = 0; i < d->n_cellsegs; i++)
		if (d->cell_seg[i] + 1 >= d->n_points || !is_segment(d, d->cell_seg[i]))
			return "bad grid segment";
	if (d->n_strings == 0 || check_csr(d->str_off, d->n_strings, d->n_chars))
		return "bad name table";
	for (uint32_t i = 0; i < d->n_strings; i++)
		if (d->str_off[i + 1] == d->str_off[i] || d->str[d->str_off[i + 1] - 1] != 0)
			return "bad name table";
	for (uint32_t i = 0; i < 2 * d->n_edges; i++)
		if (d->edge_name[i] >= d->n_strings)
			return "bad street name index";
	return NULL;
}

int sl_route_graph_open(const char *path, sl_graph **out, sl_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sl_error_set(err, SL_EIO, "%s: cannot open: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return sl_error_set(err, SL_EIO, "%s: not a regular file", path);
	}
	size_t size = (size_t)st.st_size;
	if (size < HEADER_BYTES) {
		close(fd);
		return sl_error_set(err, SL_ECORRUPT,
		                    "%s: not a samlast graph file (too short for a header)", path);
	}
	void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return sl_error_set(err, SL_EIO, "%s: cannot map: %s", path, strerror(errno));
	fhdr h;
	memcpy(&h, map, sizeof h);
	const char *why = NULL;
	int code = SL_ECORRUPT;
	char vmsg[160];
	char hb[HEADER_BYTES];
	memcpy(hb, map, HEADER_BYTES);
	memset(hb + offsetof(fhdr, crc_header), 0, 4);
	if (memcmp(h.magic, MAGIC, 8) != 0)
		why = "not a samlast graph file (bad magic)";
	else if (h.endian != 0x01020304)
		why = "graph file written on a machine of other byte order", code = SL_EUNSUPPORTED;
	else if (h.version != FORMAT_VERSION) {
		snprintf(vmsg, sizeof vmsg,
		         "graph format version %u, but this samlast reads only version %d "
		         "(rebuild the graph with 'samlast graph build')",
		         h.version, FORMAT_VERSION);
		why = vmsg, code = SL_EUNSUPPORTED;
	}
	else if (h.header_bytes != HEADER_BYTES || rg_crc32(0, hb, HEADER_BYTES) != h.crc_header)
		why = "damaged header (checksum mismatch)";
	else if (h.file_bytes != size)
		why =
		    h.file_bytes > size ? "truncated graph file" : "graph file has trailing bytes";
	uint64_t body = 0;
	if (!why) {
		rg_data t;
		memset(&t, 0, sizeof t);
		t.n_nodes = h.n_nodes, t.n_edges = h.n_edges, t.n_points = h.n_points;
		t.n_arcs = h.n_arcs, t.n_fwd = h.n_fwd, t.n_bwd = h.n_bwd;
		t.n_cellsegs = h.n_cellsegs, t.grid_nx = h.grid_nx, t.grid_ny = h.grid_ny;
		t.n_strings = h.n_strings, t.n_chars = h.n_chars, t.n_dups = h.n_dups;
		const void *ptr[NSEC];
		uint64_t len[NSEC];
		if ((uint64_t)h.grid_nx * h.grid_ny >= UINT32_MAX)
			why = "bad grid size";
		else if (h.n_strings == UINT32_MAX)
			why = "bad name table";
		else
			sections(&t, ptr, len);
		uint64_t expect = HEADER_BYTES;
		for (int s = 0; s < S_COUNT && !why; s++) {
			if (h.off[s] != expect || h.len[s] != len[s] || h.off[s] + h.len[s] > size)
				why = "bad section table";
			expect += len[s] + (8 - len[s] % 8) % 8;
		}
		body = expect;
		if (!why && body != size)
			why = "bad section table";
	}
	if (!why &&
	    rg_crc32(0, (const char *)map + HEADER_BYTES, size - HEADER_BYTES) != h.crc_body)
		why = "damaged graph file (checksum mismatch)";
	sl_graph *g = NULL;
	if (!why) {
		g = calloc(1, sizeof *g);
		if (!g) {
			munmap(map, size);
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		}
		rg_data *d = &g->d;
		const char *b = map;
		d->n_nodes = h.n_nodes, d->n_edges = h.n_edges, d->n_points = h.n_points;
		d->n_arcs = h.n_arcs, d->n_fwd = h.n_fwd, d->n_bwd = h.n_bwd;
		d->n_shortcuts = h.n_shortcuts, d->n_cellsegs = h.n_cellsegs;
		d->grid_lon0 = h.grid_lon0, d->grid_lat0 = h.grid_lat0, d->cell_e7 = h.cell_e7;
		d->grid_nx = h.grid_nx, d->grid_ny = h.grid_ny;
		d->min_lon = h.min_lon, d->min_lat = h.min_lat, d->max_lon = h.max_lon,
		d->max_lat = h.max_lat;
		d->uturn_ds = h.uturn_ds;
		d->n_strings = h.n_strings, d->n_chars = h.n_chars, d->n_dups = h.n_dups;
		memcpy(d->profile, h.profile, sizeof d->profile);
		d->profile[sizeof d->profile - 1] = 0;
		d->pts = (int32_t *)(void *)(b + h.off[S_PTS]);
		d->cum_dur = (uint32_t *)(void *)(b + h.off[S_CDUR]);
		d->cum_dist = (uint32_t *)(void *)(b + h.off[S_CDIST]);
		d->pt_edge = (uint32_t *)(void *)(b + h.off[S_PTEDGE]);
		d->edges = (rg_edge *)(void *)(b + h.off[S_EDGES]);
		d->node_edge = (uint32_t *)(void *)(b + h.off[S_NODEEDGE]);
		d->orig_off = (uint32_t *)(void *)(b + h.off[S_OOFF]);
		d->orig_tgt = (uint32_t *)(void *)(b + h.off[S_OTGT]);
		d->fwd_off = (uint32_t *)(void *)(b + h.off[S_FOFF]);
		d->fwd = (rg_arc *)(void *)(b + h.off[S_FWD]);
		d->bwd_off = (uint32_t *)(void *)(b + h.off[S_BOFF]);
		d->bwd = (rg_arc *)(void *)(b + h.off[S_BWD]);
		d->cell_off = (uint32_t *)(void *)(b + h.off[S_COFF]);
		d->cell_seg = (uint32_t *)(void *)(b + h.off[S_CSEG]);
		d->pt_osm = (int64_t *)(void *)(b + h.off[S_PTOSM]);
		d->edge_name = (uint32_t *)(void *)(b + h.off[S_ENAME]);
		d->str_off = (uint32_t *)(void *)(b + h.off[S_STROFF]);
		d->str = (char *)(void *)(b + h.off[S_STR]);
		d->dups = (uint32_t *)(void *)(b + h.off[S_DUPS]);
		why = validate(d);
		if (why) {
			free(g);
			g = NULL;
		}
	}
	if (why) {
		munmap(map, size);
		return sl_error_set(err, code, "%s: %s", path, why);
	}
	if (pthread_mutex_init(&g->pool_lock, NULL) != 0) {
		munmap(map, size);
		free(g);
		return sl_error_set(err, SL_ENOMEM, "cannot create a lock");
	}
	g->map = map;
	g->map_len = size;
	g->version = h.version;
	*out = g;
	return 0;
}

void sl_route_graph_close(sl_graph *g)
{
	if (!g)
		return;
	for (int i = 0; i < g->n_pool; i++)
		sl_route_ctx_free(g->pool[i]);
	pthread_mutex_destroy(&g->pool_lock);
	munmap(g->map, g->map_len);
	free(g);
}

void sl_route_graph_get_info(const sl_graph *g, sl_route_graph_info *info)
{
	const rg_data *d = &g->d;
	memset(info, 0, sizeof *info);
	memcpy(info->profile, d->profile, sizeof info->profile);
	info->version = g->version;
	info->nodes = d->n_nodes;
	info->arcs = d->n_arcs;
	info->shortcuts = d->n_shortcuts;
	info->edges = d->n_edges;
	info->points = d->n_points;
	info->names = d->n_strings ? d->n_strings - 1 : 0;
	info->restriction_copies = d->n_dups;
	info->min_lon = d->min_lon / 1e7;
	info->min_lat = d->min_lat / 1e7;
	info->max_lon = d->max_lon / 1e7;
	info->max_lat = d->max_lat / 1e7;
	info->file_bytes = g->map_len;
}
