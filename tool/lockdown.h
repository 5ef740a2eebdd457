/* lockdown.h - the kernel's lockdown mode, to explain a refused program. */
#ifndef LOCKDOWN_H
#define LOCKDOWN_H

/* "none", "integrity" or "confidentiality"; "unknown" when securityfs
 * does not say (not mounted, or no lockdown LSM). */
const char *lockdown__mode(void);

#endif
