// guestinit is PID 1 of the throwaway VMs: the amd64 one in which tests
// meet a kernel this machine cannot become (lockdown=confidentiality is
// one-way: once entered it holds until reboot), and the emulated arm64 one
// (tests/vm/arm64). It loads the modules the initramfs carries, mounts the
// root shared as 9p tag hostroot (this machine's root, or the arm64 root)
// read-only with a tmpfs overlay on top, and the share tag at the path
// ggshare= names if there is one (the checkout, for the arm64 root) the
// same way, so the guest writes nothing to the host. It runs the job script
// named by ggjob= on the kernel command line with its output on the device
// ggout= names (the second serial port; on arm64's virt machine, whose one
// UART is the kernel's console, a virtio console), reports the
// exit status there and powers off.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"time"
	"unsafe"
)

var out *os.File // the job's port (ggout=); the console until it exists

func say(format string, a ...any) {
	fmt.Fprintf(out, "gogrpctrace-vm: "+format+"\n", a...)
}

func main() {
	out = os.Stderr
	rc := run()
	say("exit %d", rc)
	// The UART drains after write() returns: let the last line reach the host.
	time.Sleep(500 * time.Millisecond)
	syscall.Sync()
	syscall.Reboot(syscall.LINUX_REBOOT_CMD_POWER_OFF)
}

func run() int {
	if err := mountEarly(); err != nil {
		say("%v", err)
		return 100
	}
	if err := loadModules("/modules"); err != nil {
		say("%v", err)
		return 101
	}
	// A virtio console appears once its driver has probed the port.
	for i := 0; i < 50; i++ {
		if f, err := os.OpenFile(os.Getenv("ggout"), os.O_WRONLY, 0); err == nil {
			out = f
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := mountRoot("/newroot"); err != nil {
		say("%v", err)
		return 102
	}
	if err := syscall.Chroot("/newroot"); err != nil {
		say("chroot: %v", err)
		return 103
	}
	os.Chdir("/")
	if err := exec.Command("/usr/sbin/ip", "link", "set", "lo", "up").Run(); err != nil {
		say("ip link set lo up: %v", err)
		return 104
	}
	job := os.Getenv("ggjob")
	if job == "" {
		say("no ggjob= on the kernel command line")
		return 105
	}
	cmd := exec.Command("/bin/bash", job)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Dir = filepath.Dir(job)
	cmd.Env = []string{"PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=/root", "TMPDIR=/tmp", "LANG=C.UTF-8", "GOCACHE=/tmp/gocache", "GOFLAGS=-mod=mod",
		"CI=" + os.Getenv("CI")}
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		say("%s: %v", job, err)
		return 106
	}
	return 0
}

type mount struct{ src, dir, fs string }

var kernelFilesystems = []mount{
	{"proc", "/proc", "proc"}, {"sysfs", "/sys", "sysfs"}, {"devtmpfs", "/dev", "devtmpfs"},
	{"tracefs", "/sys/kernel/tracing", "tracefs"}, {"debugfs", "/sys/kernel/debug", "debugfs"},
	{"securityfs", "/sys/kernel/security", "securityfs"},
	{"devpts", "/dev/pts", "devpts"}, {"tmpfs", "/dev/shm", "tmpfs"},
}

// mountAll mounts each of ms below root, in order.
func mountAll(root string, ms []mount) error {
	for _, m := range ms {
		target := filepath.Join(root, m.dir)
		os.MkdirAll(target, 0755)
		if err := syscall.Mount(m.src, target, m.fs, 0, ""); err != nil {
			return fmt.Errorf("mount %s: %v", target, err)
		}
	}
	return nil
}

// mountEarly gives the init what it needs before the root: /proc, /sys, /dev.
func mountEarly() error { return mountAll("/", kernelFilesystems[:3]) }

// loadModules loads every .ko in dir in name order: the initramfs builder
// numbered them so that each comes after the modules it depends on.
func loadModules(dir string) error {
	names, _ := filepath.Glob(filepath.Join(dir, "*.ko"))
	sort.Strings(names)
	empty := []byte{0}
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		_, _, errno := syscall.Syscall(sysFinitModule, f.Fd(), uintptr(unsafe.Pointer(&empty[0])), 0)
		f.Close()
		if errno != 0 && errno != syscall.EEXIST {
			return fmt.Errorf("load %s: %v", filepath.Base(name), errno)
		}
	}
	return nil
}

// mount9p mounts the 9p share tag read-only at dir, waiting for the device:
// it appears when virtio-pci has probed it.
func mount9p(tag, dir string) error {
	os.MkdirAll(dir, 0755)
	var err error
	for i := 0; i < 100; i++ {
		err = syscall.Mount(tag, dir, "9p", syscall.MS_RDONLY,
			"trans=virtio,version=9p2000.L,cache=loose,msize=512000")
		if err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("mount 9p %s: %v", tag, err)
}

// overlay mounts a writable overlay of lower at dir, its changes kept in
// the tmpfs under /rw/name.
func overlay(name, lower, dir string) error {
	upper, work := "/rw/"+name+"/upper", "/rw/"+name+"/work"
	os.MkdirAll(upper, 0755)
	os.MkdirAll(work, 0755)
	os.MkdirAll(dir, 0755)
	if err := syscall.Mount("overlay", dir, "overlay", 0,
		"lowerdir="+lower+",upperdir="+upper+",workdir="+work); err != nil {
		return fmt.Errorf("mount overlay on %s: %v", dir, err)
	}
	return nil
}

// mountRoot puts the root (9p tag hostroot) under a tmpfs overlay at dir,
// the share (9p tag share, at ggshare= on the command line) likewise at its
// own path inside it, then the guest's kernel filesystems. /tmp stays the
// overlay's: the host's checkout may live there.
func mountRoot(dir string) error {
	os.MkdirAll("/rw", 0755)
	if err := syscall.Mount("tmpfs", "/rw", "tmpfs", 0, "size=4g"); err != nil {
		return fmt.Errorf("mount tmpfs: %v", err)
	}
	if err := mount9p("hostroot", "/lower/root"); err != nil {
		return err
	}
	if err := overlay("root", "/lower/root", dir); err != nil {
		return err
	}
	if share := os.Getenv("ggshare"); share != "" {
		if err := mount9p("share", "/lower/share"); err != nil {
			return err
		}
		if err := overlay("share", "/lower/share", filepath.Join(dir, share)); err != nil {
			return err
		}
	}
	return mountAll(dir, kernelFilesystems)
}
