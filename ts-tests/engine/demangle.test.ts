/** Native names for people (src/symbols/demangle.ts): C++, Rust and Cython. */
import { nameNativeFramesWith, toGraphJSON } from '../../src/formats/graph-json';
import { ProfileBuilder } from '../../src/model/profile';
import { cythonName, demangleSymbol, nativeDisplayName } from '../../src/symbols/demangle';
import { INFO } from './model-helpers';

describe('demangling', () => {
  test('C++ and Rust symbols are demangled by the Firefox profiler demangler', () => {
    expect(demangleSymbol('_ZN3foo3barEv')).toBe('foo::bar()');
    expect(demangleSymbol('_ZNSt6vectorIiSaIiEE9push_backERKi')).toBe(
      'std::vector<int, std::allocator<int> >::push_back(int const&)'
    );
    expect(demangleSymbol('_ZN4core3fmt9Formatter3pad17h1d1a2d8e8b3b4c5dE')).toMatch(/^core::fmt::Formatter::pad/);
    expect(demangleSymbol('_RNvCs1234_7mycrate4main')).toBe('mycrate::main');
  });

  test('other names stay as recorded', () => {
    for (const name of ['PyEval_EvalFrameDefault', 'cblas_ddot', '<native symbol 0x7f2205277fa1>', '_Zbogus']) {
      expect(demangleSymbol(name)).toBe(name);
    }
  });

  test("Cython's generated names show as the Cython function", () => {
    expect(cythonName('__pyx_pw_7example_1fib')).toBe('example.fib');
    expect(cythonName('__pyx_pf_7example_fib')).toBe('example.fib');
    expect(cythonName('__pyx_pw_5numpy_6random_6mtrand_11RandomState_3rand')).toBe(
      'numpy.random.mtrand.RandomState.rand'
    );
    expect(cythonName('__pyx_pw_4util_3fun')).toBe('util.fun');
    expect(cythonName('PyObject_Call')).toBeNull();
    expect(nativeDisplayName('__pyx_pw_7example_1fib')).toBe('example.fib');
    expect(nativeDisplayName('_ZN3foo3barEv')).toBe('foo::bar()');
  });
});

describe('in the Graph JSON', () => {
  test('the converter names native frames with the demangler', () => {
    const b = new ProfileBuilder();
    b.addSample(b.stackOf([b.frame('_ZN3foo3barEv', '/usr/lib/libfoo.so', 0, 'native')]), b.thread('1'));
    const profile = b.build(INFO);
    expect(toGraphJSON(profile, { creator: 't' }).frames[0].name).toBe('_ZN3foo3barEv');
    nameNativeFramesWith(nativeDisplayName);
    expect(toGraphJSON(profile, { creator: 't' }).frames[0].name).toBe('foo::bar()');
    nameNativeFramesWith((symbol: string) => symbol);
  });
});
