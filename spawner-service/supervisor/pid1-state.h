/* What a run can change in PID 1 that later runs would inherit, and how a change is noticed. */
#ifndef FAAS_PID1_STATE_H
#define FAAS_PID1_STATE_H

/* Records this process's rlimits, nice value and CPU affinity (once, at start). */
void pid1_state_record(void);

/* 1 while they are as recorded; 0 once a run (same uid) has changed any of them. */
int pid1_state_unchanged(void);

#endif
