# node-gyp build of the addon (the `npm install` fallback when no prebuild
# matches). Sources and ISA flags come from native/sources.mjs, the same list
# CMakeLists.txt reads, so the two builds cannot disagree.
{
  "variables": {
    # 1: compile the Hogwild update kernels with relaxed atomic accesses.
    "hogwild_relaxed_updates%": "0"
  },
  "target_defaults": {
    "cflags_cc": ["-std=c++17", "-O3", "-fPIC", "-fvisibility=hidden"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++1y"],
    "cflags!": ["-fno-exceptions"],
    "defines": ["NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
    "conditions": [
      ["hogwild_relaxed_updates==1", { "defines": ["HOGWILD_RELAXED_UPDATES=1"] }]
    ],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "GCC_ENABLE_CPP_RTTI": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
      "MACOSX_DEPLOYMENT_TARGET": "11.0"
    }
  },
  "targets": [
    {
      "target_name": "hogwild_isa_kernels",
      "type": "static_library",
      "conditions": [
        ["target_arch=='x64' or target_arch=='ia32'", {
          "dependencies": ["hogwild_avx2", "hogwild_avx512"]
        }],
        ["target_arch=='arm64'", {
          "sources": ["<!@(node native/sources.mjs neon)"]
        }]
      ]
    },
    {
      "target_name": "hogwild",
      "sources": ["<!@(node native/sources.mjs core)", "<!@(node native/sources.mjs addon)"],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except_all",
        "hogwild_isa_kernels"
      ],
      "libraries": ["-lpthread"]
    }
  ],
  "conditions": [
    ["target_arch=='x64' or target_arch=='ia32'", {
      "targets": [
        {
          "target_name": "hogwild_avx2",
          "type": "static_library",
          "sources": ["<!@(node native/sources.mjs avx2)"],
          "cflags_cc": ["<!@(node native/sources.mjs flags avx2)"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["<!@(node native/sources.mjs flags avx2)"] }
        },
        {
          "target_name": "hogwild_avx512",
          "type": "static_library",
          "sources": ["<!@(node native/sources.mjs avx512)"],
          "cflags_cc": ["<!@(node native/sources.mjs flags avx512)"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["<!@(node native/sources.mjs flags avx512)"] }
        }
      ]
    }]
  ]
}
