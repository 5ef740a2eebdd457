/* follow.c - the selectors' pure rules (tool/follow.c, tool/procinfo.c):
 * names as the kernel cuts them, cgroup subtrees, container IDs as the
 * runtimes write them into cgroup paths, and this process's own facts. */
#include "../../tool/follow.h"
#include "../../tool/procinfo.h"
#include "check.h"

#include <string.h>
#include <unistd.h>

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void names(void)
{
	CHECK(follow__name_matches("server", "server", NULL), "comm equal");
	CHECK(follow__name_matches("server", NULL, "server"), "file name equal");
	CHECK(!follow__name_matches("server", "server2", "server2"), "a longer name");
	CHECK(!follow__name_matches("serve", "server", "server"), "a prefix");
	/* comm keeps 15 bytes: a longer name matches by them, a shorter never */
	CHECK(follow__name_matches("a-very-long-service-name", "a-very-long-ser", NULL), "cut comm");
	CHECK(!follow__name_matches("a-very-long-ser", "a-very-long-se", NULL), "comm shorter than 15");
	CHECK(!follow__name_matches("a-very-long-service-name", "a-very-long-sex", NULL), "cut, differs");
	CHECK(!follow__name_matches("x", NULL, NULL), "nothing known");
}

static void cgroups(void)
{
	CHECK(procinfo__cgroup_under("/a/b", "/a"), "child");
	CHECK(procinfo__cgroup_under("/a", "/a"), "itself");
	CHECK(procinfo__cgroup_under("/a", "/a/"), "trailing slash");
	CHECK(!procinfo__cgroup_under("/ab", "/a"), "a sibling sharing a prefix");
	CHECK(!procinfo__cgroup_under("/a", "/a/b"), "a parent");
	CHECK(procinfo__cgroup_under("/anything", "/"), "the root holds all");
}

static void containers(void)
{
	char id[65];
	static const char *const paths[] = {
		"/docker/" ID,
		"/system.slice/docker-" ID ".scope",
		"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-" ID
		".scope",
		"/machine.slice/libpod-" ID ".scope/container",
		"/kubepods/besteffort/pod1/" ID,
		"/system.slice/crio-" ID ".scope",
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		CHECK(procinfo__container_id(paths[i], id) && strcmp(id, ID) == 0, "no ID in %s", paths[i]);
		CHECK(follow__container_matches("0123456789ab", paths[i]), "prefix in %s", paths[i]);
		CHECK(!follow__container_matches("0123456789ac", paths[i]), "other prefix in %s", paths[i]);
	}
	CHECK(!procinfo__container_id("/user.slice/user-0.slice/session-1.scope", id), "a session");
	CHECK(!procinfo__container_id("/docker/" ID "0", id), "65 digits");
	CHECK(!procinfo__container_id("/docker/x" ID, id), "glued to a letter");
	CHECK(!procinfo__container_id("/docker/0123456789ABCDEF0123456789abcdef0123456789abcdef"
				      "0123456789abcdef", id), "upper case");
	CHECK(!procinfo__container_id("", id), "empty");
}

static void self(void)
{
	char comm[64], name[256];
	struct exe_id a, b;

	CHECK(procinfo__start_time(getpid()) > 0, "own start time");
	CHECK(procinfo__start_time(0x3fffffff) == 0, "no such process");
	CHECK(procinfo__exe_id(getpid(), &a) == 0 && procinfo__exe_id(getpid(), &b) == 0 &&
	      a.dev == b.dev && a.ino == b.ino, "own executable");
	CHECK(procinfo__comm(getpid(), comm, sizeof(comm)) == 0 && strcmp(comm, "check-follow") == 0,
	      "comm %s", comm);
	CHECK(procinfo__exe_name(getpid(), name, sizeof(name)) == 0 && strcmp(name, "check-follow") == 0,
	      "file name %s", name);
}

int main(void)
{
	names();
	cgroups();
	containers();
	self();
	if (failures)
		fprintf(stderr, "%d failures\n", failures);
	else
		printf("ok\n");
	return failures != 0;
}
