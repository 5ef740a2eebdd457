/* loader.c - libbcc from C: bpf_module_create_c_from_string, bcc_func_load,
 * bpf_attach_uprobe (entry probes only; this tool never uses return
 * probes on Go code: goroutine stacks move and the target would crash). */
#include "loader.h"

#include "progcache.h"
#include "statedir.h"

#include <bcc/bcc_common.h>
#include <bcc/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOG_SIZE (1 << 22)

/* Every loaded program has a slot in the cache entry too. */
_Static_assert(PROGCACHE_MAX_PROGS >= MAX_PROBES,
	       "PROGCACHE_MAX_PROGS (tool/progcache.h) is smaller than MAX_PROBES (tool/probes.h)");

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Keep what the compiler or verifier said, for the user to read. Never
 * in /tmp: a name there can be guessed, and another user could put a
 * symlink in its place for root to write through. The state directory
 * is root's alone; the file is made new, mode 0600, not followed. */
static const char *save_log(const char *text, const char *log)
{
	static char path[128], failed[256];
	char name[64];
	FILE *f;
	int fd;

	snprintf(name, sizeof(name), "%s%d.log", LOADER_LOG_PREFIX, (int)getpid());
	fd = statedir__create(name, path, sizeof(path));
	if (fd < 0) {
		snprintf(failed, sizeof(failed), "(the log could not be saved: %s: %s)", path,
			 fd == -EPERM ? "the directory is not root's alone" : strerror(-fd));
		return failed;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return "(the log could not be saved: out of memory)";
	}
	fprintf(f, "%s\n----- program -----\n%s", log ? log : "", text);
	if (fclose(f) != 0) {
		snprintf(failed, sizeof(failed), "(the log could not be written whole: %s)", path);
		return failed;
	}
	return path;
}

/* bcc prints its own diagnostics on stdout and stderr; keep our stdout
 * clean (scripts read it) by sending its words to stderr meanwhile. */
static int quiet_stdout(void)
{
	int saved;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(STDERR_FILENO, STDOUT_FILENO);
	return saved;
}

static void restore_stdout(int saved)
{
	fflush(stdout);
	if (saved >= 0) {
		dup2(saved, STDOUT_FILENO);
		close(saved);
	}
}

/* bcc prints the whole verifier log on stderr; we keep it in a file and
 * say where, so the terminal gets one line. */
static int quiet_stderr(void)
{
	int saved, null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (null < 0)
		return -1;
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(null, STDERR_FILENO);
	close(null);
	return saved;
}

static void restore_stderr(int saved)
{
	if (saved < 0)
		return;
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
}

/* One program for the kernel's verifier: from the module (with its BTF)
 * or from a cache entry's instructions. */
struct load_job {
	void *mod;
	const char *name;
	const struct bpf_insn *insns;
	int len;
	const char *license;
	unsigned kern_version;
	int fd, err;
};

struct load_pool {
	struct load_job *jobs;
	const int *order; /* largest first, so the threads end together */
	int n, next;
};

static void *load_some(void *arg)
{
	struct load_pool *pool = arg;
	int k;

	while ((k = __atomic_fetch_add(&pool->next, 1, __ATOMIC_RELAXED)) < pool->n) {
		struct load_job *j = &pool->jobs[pool->order[k]];

		if (j->mod)
			j->fd = bcc_func_load(j->mod, BPF_PROG_TYPE_KPROBE, j->name, j->insns, j->len,
					      j->license, j->kern_version, 0, NULL, 0, NULL, -1);
		else
			j->fd = bcc_prog_load(BPF_PROG_TYPE_KPROBE, j->name, j->insns, j->len,
					      j->license, j->kern_version, 0, NULL, 0);
		j->err = j->fd < 0 ? errno : 0;
	}
	return NULL;
}

/* Load the n jobs, on as many threads as there are CPUs online: the
 * verifier runs in the loading thread, and root's loads do not wait for
 * each other. Each job's fd (or -1 and err) is set; stderr is quiet
 * meanwhile (bcc prints a failed load's log there). Returns the number
 * of threads that loaded. */
static int load_parallel(struct load_job *jobs, int n)
{
	enum { MAX_THREADS = 8 };
	pthread_t th[MAX_THREADS];
	bool started[MAX_THREADS] = {false};
	int order[MAX_PROBES], nth = (int)sysconf(_SC_NPROCESSORS_ONLN), saved;
	struct load_pool pool = {jobs, order, n, 0};

	for (int i = 0; i < n; i++) {
		int k = i;

		while (k > 0 && jobs[order[k - 1]].len < jobs[i].len) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = i;
	}
	if (nth > MAX_THREADS)
		nth = MAX_THREADS;
	if (nth > n)
		nth = n;
	if (nth < 1)
		nth = 1;
	saved = quiet_stderr();
	for (int t = 1; t < nth; t++)
		started[t] = pthread_create(&th[t], NULL, load_some, &pool) == 0;
	load_some(&pool); /* this thread too; it also ends the work of any thread not started */
	for (int t = 1; t < nth; t++)
		if (started[t])
			pthread_join(th[t], NULL);
	restore_stderr(saved);
	return nth;
}

static void close_jobs(struct load_job *jobs, int n)
{
	for (int j = 0; j < n; j++)
		if (jobs[j].fd >= 0)
			close(jobs[j].fd);
}

/* Load a cached entry: new maps, their descriptors written into the
 * instructions in place of the old ones, programs kept in probe order. */
static int load_cached(struct loader *l, struct progcache_entry *e, const struct resolution *res)
{
	int newfd[PROGCACHE_MAX_TABLES], njobs = 0;
	struct load_job jobs[MAX_PROBES];
	const struct resolved_probe *rps[MAX_PROBES];

	for (int t = 0; t < e->ntables; t++) {
		const struct progcache_table *ct = &e->tables[t];

		newfd[t] = bcc_create_map(ct->type, ct->name, (int)ct->key_size, (int)ct->leaf_size,
					  (int)ct->max_entries, (int)ct->flags);
		if (newfd[t] < 0)
			return -1;
		snprintf(l->tables[l->ntables].name, sizeof(l->tables[0].name), "%s", ct->name);
		l->tables[l->ntables++].fd = newfd[t];
	}
	for (int i = 0; i < res->nprobes && njobs < MAX_PROBES; i++) {
		const struct resolved_probe *rp = &res->probes[i];
		struct progcache_prog *cp = NULL;
		struct bpf_insn *insn;
		char fname[64];

		if (!rp->enabled)
			continue;
		snprintf(fname, sizeof(fname), "probe_%s", rp->spec->id);
		for (int k = 0; k < e->nprogs; k++)
			if (strcmp(e->progs[k].name, fname) == 0)
				cp = &e->progs[k];
		if (!cp)
			return -1;
		insn = cp->insns;
		for (uint32_t k = 0; k < cp->len / sizeof(*insn); k++) {
			bool found = false;

			if (insn[k].code != (BPF_LD | BPF_IMM | BPF_DW) || insn[k].src_reg != BPF_PSEUDO_MAP_FD)
				continue;
			for (int t = 0; t < e->ntables && !found; t++) {
				if (insn[k].imm == e->tables[t].fd) {
					insn[k].imm = newfd[t];
					found = true;
				}
			}
			if (!found)
				return -1;
		}
		jobs[njobs] = (struct load_job){NULL, cp->name, insn, (int)cp->len, e->license,
						e->kern_version, -1, 0};
		rps[njobs++] = rp;
	}
	l->load_threads = load_parallel(jobs, njobs);
	for (int j = 0; j < njobs; j++) {
		if (jobs[j].fd < 0)
			continue;
		l->prog_fds[l->nprogs] = jobs[j].fd;
		l->progs[l->nprogs] = rps[j];
		l->nprogs++;
	}
	return l->nprogs == njobs ? 0 : -1;
}

/* Keep what was just compiled for the next attach to this binary. */
static void save_compiled(const struct loader *l, uint64_t key)
{
	struct progcache_entry e = {0};
	size_t n = bpf_num_tables(l->mod);

	if (n > PROGCACHE_MAX_TABLES)
		return;
	for (size_t t = 0; t < n; t++) {
		struct progcache_table *ct = &e.tables[e.ntables++];

		snprintf(ct->name, sizeof(ct->name), "%s", bpf_table_name(l->mod, t));
		ct->type = bpf_table_type_id(l->mod, t);
		ct->key_size = (uint32_t)bpf_table_key_size_id(l->mod, t);
		ct->leaf_size = (uint32_t)bpf_table_leaf_size_id(l->mod, t);
		ct->max_entries = (uint32_t)bpf_table_max_entries_id(l->mod, t);
		ct->flags = (uint32_t)bpf_table_flags_id(l->mod, t);
		ct->fd = bpf_table_fd_id(l->mod, t);
	}
	for (int i = 0; i < l->nprogs; i++) {
		struct progcache_prog *cp = &e.progs[e.nprogs++];

		snprintf(cp->name, sizeof(cp->name), "probe_%s", l->progs[i]->spec->id);
		cp->len = (uint32_t)bpf_function_size(l->mod, cp->name);
		cp->insns = bpf_function_start(l->mod, cp->name); /* borrowed */
	}
	snprintf(e.license, sizeof(e.license), "%s", bpf_module_license(l->mod));
	e.kern_version = bpf_module_kern_version(l->mod);
	progcache__write(key, &e);
}

/* An empty loader: every program slot closed (-1), not descriptor 0. */
static void init_empty(struct loader *l)
{
	memset(l, 0, sizeof(*l));
	for (int i = 0; i < MAX_PROBES; i++)
		l->prog_fds[i] = -1;
}

static void reset(struct loader *l)
{
	loader__close(l);
	init_empty(l);
}

/* Compile text. Without debug information (-g0) clang makes the same
 * instructions in a fifth less time, but bcc then has no BTF to give the
 * verifier, whose log loses its source lines: a refused program is
 * compiled again with it for that log. */
static void *compile(const char *text, const struct kheaders *kh, bool debug_info)
{
	const char *flags[KHEADERS_MAX_FLAGS + 1];
	int n = 0, saved;
	void *mod;

	for (int i = 0; i < kh->ncflags; i++)
		flags[n++] = kh->cflags[i];
	if (!debug_info)
		flags[n++] = "-g0";
	setenv("BCC_KERNEL_SOURCE", kh->source, 1);
	saved = quiet_stdout();
	mod = bpf_module_create_c_from_string(text, 0, flags, n, true, NULL);
	restore_stdout(saved);
	return mod;
}

/* The verifier's log of program name, at log level 2, into log; from a
 * module compiled with debug information when one can be made (the log
 * then shows source lines). Never keeps the program: the retry that does
 * is the caller's. */
static void annotated_log(const char *text, const struct kheaders *kh, const char *name,
			  char *log)
{
	void *dbg = compile(text, kh, true);
	int fd, saved;

	if (!dbg || !bpf_function_start(dbg, name)) {
		if (dbg)
			bpf_module_destroy(dbg);
		return;
	}
	log[0] = '\0';
	saved = quiet_stderr();
	fd = bcc_func_load(dbg, BPF_PROG_TYPE_KPROBE, name, bpf_function_start(dbg, name),
			   (int)bpf_function_size(dbg, name), bpf_module_license(dbg),
			   bpf_module_kern_version(dbg), 2, log, LOG_SIZE, NULL, -1);
	restore_stderr(saved);
	if (fd >= 0)
		close(fd);
	bpf_module_destroy(dbg);
}

int loader__load(struct loader *l, const char *text, const struct resolution *res,
		 const struct kheaders *kh, bool simpler_left, char *err, size_t errlen)
{
	double t0 = now_s();
	uint64_t key = progcache__key(text);
	struct progcache_entry cached;
	struct load_job jobs[MAX_PROBES];
	const struct resolved_probe *rps[MAX_PROBES];
	char fnames[MAX_PROBES][64];
	char *log = NULL;
	int saved, njobs = 0;

	init_empty(l);
	if (progcache__read(key, &cached) == 0) {
		int ret = load_cached(l, &cached, res);

		progcache__free(&cached);
		if (ret == 0) {
			l->from_cache = true;
			l->verify_s = now_s() - t0;
			return 0;
		}
		reset(l); /* unusable entry: compile instead */
	}
	l->mod = compile(text, kh, false);
	if (!l->mod) {
		snprintf(err, errlen, "the BPF program did not compile (headers: %s); see %s",
			 kh->desc, save_log(text, "compiler messages were printed above"));
		return -EINVAL;
	}
	l->compile_s = now_s() - t0;
	l->verify_s = now_s();
	for (int i = 0; i < res->nprobes && njobs < MAX_PROBES; i++) {
		const struct resolved_probe *rp = &res->probes[i];

		if (!rp->enabled)
			continue;
		snprintf(fnames[njobs], sizeof(fnames[0]), "probe_%s", rp->spec->id);
		jobs[njobs] = (struct load_job){l->mod, fnames[njobs],
						bpf_function_start(l->mod, fnames[njobs]),
						(int)bpf_function_size(l->mod, fnames[njobs]),
						bpf_module_license(l->mod),
						bpf_module_kern_version(l->mod), -1, 0};
		if (!jobs[njobs].insns) {
			snprintf(err, errlen, "internal error: %s missing from the program",
				 fnames[njobs]);
			return -ENOENT;
		}
		rps[njobs++] = rp;
	}
	l->load_threads = load_parallel(jobs, njobs);
	/* Each program in probe order, so a failure names the first refused. */
	for (int j = 0; j < njobs; j++) {
		int fd = jobs[j].fd;

		if (fd < 0) {
			int loop;

			/* Load again with the verifier's log on, to show why. */
			log = malloc(LOG_SIZE);
			if (!log) {
				close_jobs(jobs, njobs);
				return -ENOMEM;
			}
			log[0] = '\0';
			saved = quiet_stderr();
			fd = bcc_func_load(l->mod, BPF_PROG_TYPE_KPROBE, fnames[j], jobs[j].insns,
					   jobs[j].len, jobs[j].license, jobs[j].kern_version, 1, log,
					   LOG_SIZE, NULL, -1);
			jobs[j].err = errno;
			restore_stderr(saved);
			if (fd >= 0) {
				free(log);
				jobs[j].fd = fd;
				continue;
			}
			loop = strstr(log, "back-edge") != NULL;
			if (!loop && !simpler_left) /* shown to the user: with source lines */
				annotated_log(text, kh, fnames[j], log);
			snprintf(err, errlen, "the kernel rejected %s (%s); verifier log in %s", fnames[j],
				 strerror(jobs[j].err), save_log(text, log));
			free(log);
			close_jobs(jobs, njobs);
			/* Another refusal is most often the program's size or
			 * paths; Linux 6.1 keeps the head of a long log, not the
			 * line that says so. */
			return loop ? -ELOOP : -E2BIG;
		}
	}
	for (int j = 0; j < njobs; j++) {
		l->prog_fds[l->nprogs] = jobs[j].fd;
		l->progs[l->nprogs] = rps[j];
		l->nprogs++;
	}
	l->verify_s = now_s() - l->verify_s;
	for (size_t t = 0; t < bpf_num_tables(l->mod) && l->ntables < PROGCACHE_MAX_TABLES; t++) {
		snprintf(l->tables[l->ntables].name, sizeof(l->tables[0].name), "%s",
			 bpf_table_name(l->mod, t));
		l->tables[l->ntables++].fd = bpf_table_fd_id(l->mod, t);
	}
	save_compiled(l, key);
	return 0;
}

/* Attach program i at file offset off of binary for pid; k tells the
 * probe's places apart (its RETs). */
static int attach_one(struct loader *l, int i, int k, uint64_t off, const char *binary, pid_t pid,
		      char *err, size_t errlen)
{
	struct loader_link *ln;
	int fd, saved, e;

	if (l->nlinks == LOADER_MAX_LINKS) {
		snprintf(err, errlen, "too many probes");
		return -E2BIG;
	}
	ln = &l->links[l->nlinks];
	snprintf(ln->ev_name, sizeof(ln->ev_name), "gogrpctrace_%d_%d_%d_%d", (int)getpid(),
		 (int)pid, i, k);
	/* bcc prints its own line on a failure; ours names the probe. */
	saved = quiet_stderr();
	fd = bpf_attach_uprobe(l->prog_fds[i], BPF_PROBE_ENTRY, ln->ev_name, binary, off, pid, 0);
	e = errno;
	restore_stderr(saved);
	if (fd < 0) {
		snprintf(err, errlen, "cannot attach %s to PID %d: %s", l->progs[i]->spec->id,
			 (int)pid, strerror(e));
		return -e;
	}
	ln->fd = fd;
	ln->pid = pid;
	l->nlinks++;
	return 0;
}

int loader__attach(struct loader *l, const char *binary, pid_t pid, bool at_entry, char *err,
		   size_t errlen)
{
	double t0 = now_s();

	for (int i = 0; i < l->nprogs; i++) {
		const struct resolved_probe *rp = l->progs[i];
		int ret;

		if (rp->spec->at_returns) {
			/* RETs lie in the function's own segment: same offset shift. */
			for (int r = 0; r < rp->fn->nrets; r++) {
				uint64_t off = rp->fn->entry_file_offset + (rp->fn->rets[r] - rp->fn->entry);
				int ret = attach_one(l, i, r, off, binary, pid, err, errlen);

				if (ret)
					return ret;
			}
			continue;
		}
		ret = attach_one(l, i, 0, at_entry ? rp->fn->entry_file_offset
						   : rp->fn->probe_file_offset,
				 binary, pid, err, errlen);
		if (ret)
			return ret;
	}
	l->attach_s += now_s() - t0;
	return 0;
}

static void remove_link(const struct loader_link *ln)
{
	bpf_close_perf_event_fd(ln->fd);
	bpf_detach_uprobe(ln->ev_name);
}

/* Links removed in the background, and a while later: one removal waits
 * for the kernel to let go of its uprobe (a grace period, a large part of
 * a second on a busy machine), under a lock every uprobe's creation takes
 * too. A process's dozen would hold up the event loop, and the attach of
 * the service's next run (a restart comes within a second or two) would
 * wait for them: it goes first. */
#define REMOVE_AFTER_S 5

struct link_batch {
	int n;
	bool now; /* no delay: the caller is going anyway */
	struct loader_link links[];
};

static void *remove_links(void *arg)
{
	struct link_batch *b = arg;
	struct timespec later = {REMOVE_AFTER_S, 0};

	if (!b->now)
		nanosleep(&later, NULL);
	for (int i = 0; i < b->n; i++)
		remove_link(&b->links[i]);
	free(b);
	return NULL;
}

void loader__detach_pid(struct loader *l, pid_t pid)
{
	struct link_batch *b = malloc(sizeof(*b) + (size_t)l->nlinks * sizeof(b->links[0]));
	pthread_attr_t attr;
	pthread_t th;
	int kept = 0;

	if (b)
		*b = (struct link_batch){0};
	for (int i = 0; i < l->nlinks; i++) {
		if (l->links[i].pid != pid)
			l->links[kept++] = l->links[i];
		else if (b)
			b->links[b->n++] = l->links[i];
		else
			remove_link(&l->links[i]); /* no memory: here, now */
	}
	l->nlinks = kept;
	if (!b)
		return;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, remove_links, b) != 0) {
		b->now = true; /* no thread: here, now */
		remove_links(b);
	}
	pthread_attr_destroy(&attr);
}

int loader__table_fd(const struct loader *l, const char *name)
{
	for (int i = 0; i < l->ntables; i++)
		if (strcmp(l->tables[i].name, name) == 0)
			return l->tables[i].fd;
	return -1;
}

static int possible_cpus(void)
{
	char buf[128];
	int fd = open("/sys/devices/system/cpu/possible", O_RDONLY), n = 0, a, b;
	ssize_t len;
	char *p;

	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	/* "0-3" or "0,2-5" */
	for (p = strtok(buf, ","); p; p = strtok(NULL, ",")) {
		if (sscanf(p, "%d-%d", &a, &b) == 2)
			n += b - a + 1;
		else if (sscanf(p, "%d", &a) == 1)
			n++;
	}
	return n;
}

int loader__enable_stats(void)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.enable_stats.type = BPF_STATS_RUN_TIME;
	fd = (int)syscall(__NR_bpf, BPF_ENABLE_STATS, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

int loader__prog_stats(const struct loader *l, int i, uint64_t *runs, uint64_t *ns)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	*runs = *ns = 0;
	if (i < 0 || i >= l->nprogs || l->prog_fds[i] < 0)
		return -EINVAL;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info(l->prog_fds[i], &info, &len) != 0)
		return -errno;
	*runs = info.run_cnt;
	*ns = info.run_time_ns;
	return 0;
}

int loader__read_counters(const struct loader *l, uint64_t *out, int n)
{
	int fd = loader__table_fd(l, "counters"), ncpu = possible_cpus();
	uint64_t *vals;

	memset(out, 0, (size_t)n * sizeof(*out));
	if (fd < 0 || ncpu <= 0)
		return -ENOENT;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (int k = 0; k < n; k++) {
		uint32_t key = (uint32_t)k;

		if (bpf_lookup_elem(fd, &key, vals) != 0)
			continue;
		for (int c = 0; c < ncpu; c++)
			out[k] += vals[c];
	}
	free(vals);
	return 0;
}

struct detach_work {
	struct loader *l;
	int first, step;
};

static void *detach_some(void *arg)
{
	struct detach_work *w = arg;

	for (int i = w->first; i < w->l->nlinks; i += w->step)
		remove_link(&w->l->links[i]);
	return NULL;
}

/* Each uprobe's removal waits for the kernel to let go of it; done one
 * after the other that adds up to seconds, so threads wait side by side. */
static void detach_all(struct loader *l)
{
	enum { MAX_THREADS = 16 };
	struct detach_work work[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	bool started[MAX_THREADS] = {false};
	int n = l->nlinks < MAX_THREADS ? l->nlinks : MAX_THREADS;

	for (int t = 0; t < n; t++) {
		work[t] = (struct detach_work){l, t, n};
		started[t] = pthread_create(&th[t], NULL, detach_some, &work[t]) == 0;
		if (!started[t])
			detach_some(&work[t]); /* no thread: this one, here */
	}
	for (int t = 0; t < n; t++)
		if (started[t])
			pthread_join(th[t], NULL);
}

void loader__detach(struct loader *l)
{
	detach_all(l);
	l->nlinks = 0;
}

void loader__close(struct loader *l)
{
	loader__detach(l);
	for (int i = 0; i < l->nprogs; i++)
		if (l->prog_fds[i] >= 0)
			close(l->prog_fds[i]);
	l->nprogs = 0;
	/* Maps we created from the cache are ours to close; a module closes its own. */
	if (!l->mod)
		for (int i = 0; i < l->ntables; i++)
			if (l->tables[i].fd >= 0)
				close(l->tables[i].fd);
	l->ntables = 0;
	if (l->mod)
		bpf_module_destroy(l->mod);
	l->mod = NULL;
}
