/* A guard in front of vmprof's signal handler: it follows the sampled thread's
 * current-frame pointer only once that pointer is proven to be a frame of the thread.
 *
 * Why: on CPython 3.11 and 3.12 the eval loop publishes a fresh _PyCFrame
 * (`tstate->cframe = &cframe`) some instructions before it stores
 * `cframe.current_frame`. vmprof 0.6.0's handler reads `current_frame` without a
 * check, and a sample landing in that window follows whatever the C stack held
 * there: the process dies. Every call from C into Python (sorted(key=...), __lt__ in
 * a sort, map(lambda), np.vectorize, coro.send()) opens the window.
 *
 * How: after vmprof.enable() has installed its handler, install() reads it with
 * sigaction and installs guard_handler in front of it. For each signal the guard
 * checks the frames vmprof will follow up to the first complete one. If one is not a
 * frame of the thread, vmprof's handler runs with `tstate->cframe` pointing to an
 * empty _PyCFrame, so it finds no frame and cancels the sample (in real-time mode
 * the main thread's handler still forwards the signal to the other threads); the
 * sample is counted as dropped. A frame pointer is accepted when it is:
 *   - a frame boundary in the live part of the thread's data-stack chunks,
 *   - the frame of a generator or coroutine running on the thread (the thread's
 *     exc_info chain holds its gi_exc_state),
 *   - on 3.12, the entry frame of the innermost eval loop (a local next to the
 *     _PyCFrame on the C stack, owned by the C stack, running the trampoline code).
 * Every read is of memory the thread owns; nothing is written but the counters and,
 * for a dropped sample, the thread's own cframe pointer while vmprof's handler runs.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#if PY_VERSION_HEX < 0x030B0000 || PY_VERSION_HEX >= 0x030D0000
#error "_framecheck is only needed (and only correct) for CPython 3.11 and 3.12"
#endif

#define Py_BUILD_CORE
#include "internal/pycore_frame.h"
#undef Py_BUILD_CORE

#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

/* Bounds that keep a walk short whatever the memory holds. */
#define MAX_CHUNKS 4096
#define MAX_EXC_ITEMS 4096
#define MAX_INCOMPLETE 64
/* How far from the innermost _PyCFrame its sibling entry frame may lie (3.12). */
#define ENTRY_FRAME_REACH 4096

static const int guarded_signals[] = {SIGPROF, SIGALRM};
#define N_SIGNALS 2

/* vmprof's handler for each guarded signal, while the guard is in front of it. */
static struct sigaction vmprof_actions[N_SIGNALS];
static volatile sig_atomic_t guarding[N_SIGNALS];
static volatile long signals_seen;
static volatile long samples_dropped;
#if PY_VERSION_HEX >= 0x030C0000
/* The code every entry frame runs (interp->interpreter_trampoline, whose header
 * cannot be included beside Python.h): learnt by install() from the caller's stack. */
static PyCodeObject *trampoline_code;
#endif

/* ---- what counts as a frame of this thread ---------------------------------- */

static int
looks_like_code(PyCodeObject *code)
{
    return code != NULL && ((uintptr_t)code & (sizeof(void *) - 1)) == 0
           && Py_TYPE(code) == &PyCode_Type;
}

static size_t
frame_slots(PyCodeObject *code)
{
#if PY_VERSION_HEX >= 0x030C0000
    return (size_t)code->co_framesize;
#else
    return (size_t)(code->co_nlocalsplus + code->co_stacksize) + FRAME_SPECIALS_SIZE;
#endif
}

/* Is `want` where a frame starts, walking the frames of [first, live_end)? */
static int
is_frame_boundary(PyObject **first, PyObject **live_end, PyObject **want)
{
    PyObject **at = first;
    while (at < want) {
        PyCodeObject *code = ((_PyInterpreterFrame *)at)->f_code;
        if (!looks_like_code(code)) {
            return 0;
        }
        size_t slots = frame_slots(code);
        if (slots == 0 || slots > (size_t)(live_end - at)) {
            return 0;
        }
        at += slots;
    }
    return at == want && (size_t)(live_end - want) >= FRAME_SPECIALS_SIZE;
}

static int
in_data_stack(PyThreadState *ts, _PyInterpreterFrame *frame)
{
    PyObject **want = (PyObject **)frame;
    _PyStackChunk *chunk = ts->datastack_chunk;
    PyObject **live_end = ts->datastack_top;
    for (int n = 0; chunk != NULL && n < MAX_CHUNKS; n++) {
        /* The root chunk's first slot stays unused so that it is never popped. */
        PyObject **first = &chunk->data[chunk->previous == NULL ? 1 : 0];
        PyObject **chunk_end = (PyObject **)((char *)chunk + chunk->size);
        if (live_end < first || live_end > chunk_end) {
            return 0; /* the thread is pushing or popping a chunk: cannot tell */
        }
        if (want >= first && want < live_end) {
            return is_frame_boundary(first, live_end, want);
        }
        _PyStackChunk *older = chunk->previous;
        if (older != NULL) {
            live_end = &older->data[older->top];
        }
        chunk = older;
    }
    return 0;
}

static int
is_running_generator(PyThreadState *ts, _PyInterpreterFrame *frame)
{
    _PyErr_StackItem *item = ts->exc_info;
    for (int n = 0; item != NULL && item != &ts->exc_state && n < MAX_EXC_ITEMS; n++) {
        /* Generators, coroutines and async generators share this layout. */
        char *gen = (char *)item - offsetof(PyGenObject, gi_exc_state);
        if ((char *)frame == gen + offsetof(PyGenObject, gi_iframe)) {
            return 1;
        }
        item = item->previous_item;
    }
    return 0;
}

#if PY_VERSION_HEX >= 0x030C0000
static int
is_innermost_entry_frame(PyThreadState *ts, _PyInterpreterFrame *frame)
{
    char *cframe = (char *)ts->cframe;
    char *at = (char *)frame;
    if (((uintptr_t)at & (sizeof(void *) - 1)) != 0
        || at < cframe - ENTRY_FRAME_REACH || at > cframe + ENTRY_FRAME_REACH) {
        return 0;
    }
    return frame->owner == FRAME_OWNED_BY_CSTACK
           && frame->f_code == trampoline_code && trampoline_code != NULL;
}

/* The entry frame under the caller's frames: Python called install(), so one exists. */
static PyCodeObject *
find_trampoline_code(void)
{
    _PyInterpreterFrame *frame = PyThreadState_Get()->cframe->current_frame;
    for (; frame != NULL; frame = frame->previous) {
        if (frame->owner == FRAME_OWNED_BY_CSTACK) {
            return frame->f_code;
        }
    }
    return NULL;
}
#endif

static int
is_frame_of_thread(PyThreadState *ts, _PyInterpreterFrame *frame)
{
    int known = in_data_stack(ts, frame) || is_running_generator(ts, frame);
#if PY_VERSION_HEX >= 0x030C0000
    if (!known && is_innermost_entry_frame(ts, frame)) {
        return 1; /* its code is the trampoline, checked there */
    }
#endif
    return known && looks_like_code(frame->f_code);
}

/* Are the frames vmprof follows before the first complete one all frames of ts?
 * Below the first complete frame the links are set; on 3.12 the innermost entry
 * frame under it may be in the making too, so its link is checked as well. */
static int
frame_chain_is_safe(PyThreadState *ts)
{
    if (ts->cframe == NULL) {
        return 0;
    }
    _PyInterpreterFrame *frame = ts->cframe->current_frame;
    for (int n = 0; n < MAX_INCOMPLETE; n++) {
        if (frame == NULL) {
            return 1;
        }
        if (!is_frame_of_thread(ts, frame)) {
            return 0;
        }
        if (!_PyFrame_IsIncomplete(frame)) {
#if PY_VERSION_HEX >= 0x030C0000
            _PyInterpreterFrame *below = frame->previous;
            if (below != NULL && is_innermost_entry_frame(ts, below)) {
                return below->previous == NULL || is_frame_of_thread(ts, below->previous);
            }
#endif
            return 1;
        }
        frame = frame->previous;
    }
    return 0;
}

/* ---- the handler --------------------------------------------------------------- */

static int
signal_index(int sig)
{
    for (int i = 0; i < N_SIGNALS; i++) {
        if (guarded_signals[i] == sig) {
            return i;
        }
    }
    return -1;
}

static void
call_vmprof(int i, int sig, siginfo_t *info, void *ucontext)
{
    const struct sigaction *vmprof = &vmprof_actions[i];
    if (vmprof->sa_flags & SA_SIGINFO) {
        vmprof->sa_sigaction(sig, info, ucontext);
    }
    else if (vmprof->sa_handler != SIG_IGN && vmprof->sa_handler != SIG_DFL) {
        vmprof->sa_handler(sig);
    }
}

static void
guard_handler(int sig, siginfo_t *info, void *ucontext)
{
    int i = signal_index(sig);
    if (i < 0) {
        return;
    }
    /* Thread-specific storage: one pthread_getspecific, safe in a signal handler. */
    PyThreadState *ts = PyGILState_GetThisThreadState();
    if (ts == NULL) {
        call_vmprof(i, sig, info, ucontext); /* no Python frames to follow */
        return;
    }
    __atomic_add_fetch(&signals_seen, 1, __ATOMIC_RELAXED);
    if (frame_chain_is_safe(ts)) {
        call_vmprof(i, sig, info, ucontext);
        return;
    }
    __atomic_add_fetch(&samples_dropped, 1, __ATOMIC_RELAXED);
    /* vmprof still runs (it forwards real-time signals to the other threads), but
     * finds no current frame and cancels this thread's sample. The interrupted code
     * is this thread's, suspended until we return, so nothing else sees the swap. */
    _PyCFrame *published = ts->cframe;
    _PyCFrame empty;
    memset(&empty, 0, sizeof(empty));
    ts->cframe = &empty;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    call_vmprof(i, sig, info, ucontext);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    ts->cframe = published;
}

/* ---- install and remove --------------------------------------------------------- */

static int
is_vmprof_handler(const struct sigaction *action)
{
    void *address = (action->sa_flags & SA_SIGINFO) ? (void *)action->sa_sigaction
                                                      : (void *)action->sa_handler;
    if (address == NULL || action->sa_handler == SIG_IGN || action->sa_handler == SIG_DFL
        || address == (void *)guard_handler) {
        return 0;
    }
    Dl_info where;
    return dladdr(address, &where) != 0 && where.dli_fname != NULL
           && strstr(where.dli_fname, "_vmprof") != NULL;
}

static PyObject *
framecheck_install(PyObject *module, PyObject *unused)
{
    int installed = 0;
#if PY_VERSION_HEX >= 0x030C0000
    if (trampoline_code == NULL) {
        trampoline_code = find_trampoline_code();
    }
#endif
    for (int i = 0; i < N_SIGNALS; i++) {
        struct sigaction current;
        if (sigaction(guarded_signals[i], NULL, &current) != 0) {
            return PyErr_SetFromErrno(PyExc_OSError);
        }
        if (current.sa_flags & SA_SIGINFO && current.sa_sigaction == guard_handler) {
            installed = 1; /* already in front of vmprof */
            continue;
        }
        if (!is_vmprof_handler(&current)) {
            guarding[i] = 0;
            continue;
        }
        vmprof_actions[i] = current;
        struct sigaction guard = current;
        guard.sa_sigaction = guard_handler;
        guard.sa_flags = current.sa_flags | SA_SIGINFO;
        if (sigaction(guarded_signals[i], &guard, NULL) != 0) {
            return PyErr_SetFromErrno(PyExc_OSError);
        }
        guarding[i] = 1;
        installed = 1;
    }
    if (installed) {
        __atomic_store_n(&signals_seen, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&samples_dropped, 0, __ATOMIC_RELAXED);
    }
    return PyBool_FromLong(installed);
}

static PyObject *
framecheck_remove(PyObject *module, PyObject *unused)
{
    for (int i = 0; i < N_SIGNALS; i++) {
        struct sigaction current;
        if (!guarding[i] || sigaction(guarded_signals[i], NULL, &current) != 0) {
            continue;
        }
        /* vmprof.disable() may have replaced the guard already (with SIG_IGN). */
        if (current.sa_flags & SA_SIGINFO && current.sa_sigaction == guard_handler) {
            sigaction(guarded_signals[i], &vmprof_actions[i], NULL);
        }
        guarding[i] = 0;
    }
    return PyLong_FromLong(__atomic_load_n(&samples_dropped, __ATOMIC_RELAXED));
}

static PyObject *
framecheck_active(PyObject *module, PyObject *unused)
{
    for (int i = 0; i < N_SIGNALS; i++) {
        if (guarding[i]) {
            Py_RETURN_TRUE;
        }
    }
    Py_RETURN_FALSE;
}

static PyObject *
framecheck_counts(PyObject *module, PyObject *unused)
{
    return Py_BuildValue("(ll)", __atomic_load_n(&signals_seen, __ATOMIC_RELAXED),
                         __atomic_load_n(&samples_dropped, __ATOMIC_RELAXED));
}

static PyObject *
framecheck_check_current_thread(PyObject *module, PyObject *unused)
{
    return PyBool_FromLong(frame_chain_is_safe(PyThreadState_Get()));
}

static PyMethodDef framecheck_methods[] = {
    {"install", framecheck_install, METH_NOARGS,
     "Put the frame check in front of vmprof's installed signal handler(s). Call after every "
     "vmprof enable. Returns True if a vmprof handler was found and is now guarded; resets the "
     "counts."},
    {"remove", framecheck_remove, METH_NOARGS,
     "Give vmprof's handler back its place if the guard still holds it; returns the number of "
     "samples dropped since install()."},
    {"active", framecheck_active, METH_NOARGS,
     "True from install() (when it found vmprof's handler) to remove(), even if vmprof's disable "
     "has replaced the guard meanwhile."},
    {"counts", framecheck_counts, METH_NOARGS,
     "(signals checked, samples dropped) since the last install()."},
    {"check_current_thread", framecheck_check_current_thread, METH_NOARGS,
     "Run the frame check on the calling thread now: True if its frame chain is safe to follow."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef framecheck_module = {
    PyModuleDef_HEAD_INIT, "_framecheck",
    "Validates the sampled thread's frame chain before vmprof's signal handler follows it.", -1,
    framecheck_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__framecheck(void)
{
    return PyModule_Create(&framecheck_module);
}
