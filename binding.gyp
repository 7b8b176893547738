# The native backend (src/backend/native): built from source at install by scripts/build-native.mjs.
# No -march flag: the GEMM kernels carry target attributes and are chosen at run time.
{
  "targets": [
    {
      "target_name": "chainrule",
      "sources": [
        "src/backend/native/csrc/addon.cc",
        "src/backend/native/csrc/elementwise.cc",
        "src/backend/native/csrc/gemm.cc",
        "src/backend/native/csrc/optim.cc",
        "src/backend/native/csrc/pool.cc",
        "src/backend/native/csrc/reduce.cc"
      ],
      "cflags_cc": ["-O3", "-std=gnu++17", "-ffp-contract=fast", "-fno-math-errno", "-Wall", "-Wextra"],
      "cflags_cc!": ["-O2", "-std=gnu++14", "-std=gnu++1y"],
      "libraries": ["-lpthread"],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=gnu++17", "-ffp-contract=fast", "-fno-math-errno"],
        "MACOSX_DEPLOYMENT_TARGET": "11.0"
      }
    }
  ]
}
