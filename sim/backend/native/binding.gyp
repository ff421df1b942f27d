{
  "targets": [
    {
      "target_name": "permanence_kernels",
      "sources": ["src/addon.cc", "src/net.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fexceptions", "-fopenmp"],
      "ldflags": ["-fopenmp"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-ldnnl"]
    }
  ]
}
