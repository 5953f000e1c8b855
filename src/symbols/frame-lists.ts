/**
 * Names of frames that are plumbing rather than user code, as editable lists.
 *
 * CPython's interpreter frames: the eval loop and the call helpers between
 * one Python (or C) function and the next, for CPython 3.9 – 3.14. vmprof
 * stops its native walk at the eval loop, so in practice these appear at the
 * leaf end of a stack (C code called from Python) or when unwinding failed.
 */
export const CPYTHON_INTERPRETER_FRAMES: readonly string[] = [
  // eval loop and frame setup
  '_PyEval_EvalFrameDefault', '_PyEval_EvalFrame', '_PyEval_Vector', '_PyEval_EvalCode',
  '_PyEval_EvalCodeWithName', 'PyEval_EvalCode', 'PyEval_EvalCodeEx', 'PyEval_EvalFrame',
  'PyEval_EvalFrameEx', 'PyEval_CallObjectWithKeywords',
  // calling Python functions
  '_PyFunction_Vectorcall', 'PyFunction_Vectorcall', '_PyFunction_FastCallDict',
  '_PyFunction_FastCallKeywords', 'function_code_fastcall', 'function_vectorcall',
  // generic call machinery
  'PyObject_Vectorcall', 'PyObject_VectorcallDict', 'PyObject_VectorcallMethod',
  '_PyObject_VectorcallTstate', '_PyObject_Vectorcall', '_PyObject_VectorcallDictTstate',
  '_PyObject_MakeTpCall', '_PyObject_FastCallDict', '_PyObject_FastCallDictTstate',
  '_PyObject_FastCall', '_PyObject_FastCallKeywords', '_PyObject_FastCallTstate',
  '_PyObject_Call', '_PyObject_Call_Prepend', 'PyObject_Call', 'PyObject_CallObject',
  'PyObject_CallOneArg', 'PyObject_CallNoArgs', '_PyObject_CallNoArgs', 'PyObject_CallFunction',
  'PyObject_CallFunctionObjArgs', 'PyObject_CallMethod', 'PyObject_CallMethodObjArgs',
  '_PyObject_CallMethodIdObjArgs', 'PyVectorcall_Call', '_PyVectorcall_Call', 'object_vacall',
  'call_function', 'do_call_core', 'call_trampoline', '_PyEval_CallTracing',
  // C functions and methods
  'cfunction_call', 'cfunction_vectorcall_FASTCALL', 'cfunction_vectorcall_FASTCALL_KEYWORDS',
  'cfunction_vectorcall_FASTCALL_KEYWORDS_METHOD', 'cfunction_vectorcall_NOARGS',
  'cfunction_vectorcall_O', 'method_vectorcall', 'method_vectorcall_NOARGS', 'method_vectorcall_O',
  'method_vectorcall_FASTCALL', 'method_vectorcall_FASTCALL_KEYWORDS',
  'method_vectorcall_FASTCALL_KEYWORDS_METHOD', 'method_vectorcall_VARARGS',
  'method_vectorcall_VARARGS_KEYWORDS', 'slot_tp_call', 'vectorcall_method', 'vectorcall_unbound',
  'wrapper_call', 'wrapperdescr_call', 'methoddescr_call', 'classmethoddescr_call',
  // running modules and exec()
  'builtin_exec', 'builtin_exec_impl', 'run_eval_code_obj', 'run_mod', 'pyrun_file',
  '_PyRun_SimpleFileObject', '_PyRun_AnyFileObject', 'PyRun_StringFlags', 'exec_code_in_module'
];

/**
 * CPython C functions that start running Python code (push a Python frame
 * and enter the eval loop, or resume a generator's): a Python frame called
 * back from C sits below one of these (see callbacks.ts). 3.8 – 3.13.
 */
export const PYTHON_ENTRY_FRAMES: readonly string[] = [
  '_PyEval_EvalFrameDefault', '_PyEval_EvalFrame', '_PyEval_Vector', '_PyEval_EvalCode',
  '_PyEval_EvalCodeWithName', 'PyEval_EvalCode', 'PyEval_EvalCodeEx', 'PyEval_EvalFrame',
  'PyEval_EvalFrameEx', 'function_code_fastcall', '_PyFunction_FastCall',
  'gen_send_ex2', 'gen_send_ex', 'gen_iternext', 'gen_send', 'gen_throw', '_gen_throw',
  'PyGen_am_send', 'PyIter_Send', 'coro_wrapper_iternext', 'async_gen_asend_send',
  'async_gen_athrow_send'
];

/**
 * Numba's dispatcher call level (numba/_dispatcher.cpp), plus `type_call`,
 * which appears when the dispatcher object is called as a type instance.
 */
export const NUMBA_DISPATCHER_FRAMES: readonly string[] = [
  'Dispatcher_call', 'Dispatcher_vectorcall', 'call_cfunc', 'compile_and_invoke',
  'find_named_args', 'type_call', '_DispatcherBase'
];

/** Files of a notebook cell: ipykernel's `/tmp/ipykernel_<pid>/<hash>.py` and old IPython's `<ipython-input-…>`. */
export const NOTEBOOK_CELL_FILES: readonly RegExp[] = [
  /(^|[/\\])ipykernel_\d+[/\\][^/\\]+\.py$/,
  /^<ipython-input-/
];

/**
 * The plain function name of a symbol, so the lists above match what
 * libbacktrace, dladdr or an ELF symbol table give: drops compiler clone
 * suffixes (`.cold`, `.isra.0`, `.constprop.1`, `.part.2`, `.lto_priv.0`),
 * an Itanium-mangled local/global name's wrapping (`_ZL15Dispatcher_callP…`),
 * and a demangled argument list (`Dispatcher_call(Dispatcher*, …)`).
 */
export function baseSymbolName(symbol: string): string {
  let name = symbol.replace(/(\.(cold|isra|constprop|part|lto_priv|localalias)(\.\d+)?)+$/, '');
  const mangled = /^_ZL?(\d+)/.exec(name);
  if (mangled) {
    const length = Number(mangled[1]);
    const start = mangled[0].length;
    if (start + length <= name.length) {
      name = name.slice(start, start + length);
    }
  }
  const paren = name.indexOf('(');
  if (paren > 0) {
    name = name.slice(0, paren);
  }
  return name;
}
