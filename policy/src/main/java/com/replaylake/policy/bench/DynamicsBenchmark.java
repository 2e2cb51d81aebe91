package com.replaylake.policy.bench;

import com.replaylake.policy.dynamics.DynamicsStats;
import com.replaylake.policy.dynamics.MatrixSpectrum;
import com.replaylake.policy.dynamics.ParameterDynamics;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;

/**
 * Timings of the SVD choices for the analyze job on Gaussian matrices, and the peak heap of one
 * full per-tensor comparison. Not a test: run by hand, copy the numbers into docs/dynamics.md.
 *
 * <pre>
 * java -Xmx3g -cp ... com.replaylake.policy.bench.DynamicsBenchmark [--methods svd-values,svd-full,gram-eig-values,spectrum,compare]
 *     [--shapes 1024x1024,4096x4096] [--k 64]
 * </pre>
 *
 * <p>svd-values: EJML SVD, singular values only; svd-full: EJML SVD with U and V; gram-eig-values:
 * Gram + symmetric eigenvalues; spectrum: {@link MatrixSpectrum#of} (Gram + symmetric eigen with
 * vectors, the method used); compare: {@link ParameterDynamics#compare} on W0 and a perturbed W1
 * (two spectra, masks, overlaps), with the JVM's peak heap after it. Everything runs on one thread:
 * the thread's CPU time is the fair number on a shared machine (wall time is printed too); peak
 * heap is the sum of the heap pools' peaks since the previous method (an upper bound).
 */
public final class DynamicsBenchmark {
  private DynamicsBenchmark() {}

  public static void main(String[] args) {
    String methods = "svd-values,svd-full,gram-eig-values,spectrum";
    String shapes = "1024x1024";
    int k = 64;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--methods" -> methods = args[i + 1];
        case "--shapes" -> shapes = args[i + 1];
        case "--k" -> k = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.printf(Locale.ROOT, "cores %d, max heap %d MB%n", Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    for (String shape : shapes.split(",")) {
      String[] d = shape.split("x");
      int rows = Integer.parseInt(d[0]);
      int cols = Integer.parseInt(d[1]);
      float[] w = new float[rows * cols];
      SplittableRandom rnd = new SplittableRandom(1);
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) ((rnd.nextDouble() + rnd.nextDouble() + rnd.nextDouble() - 1.5) * 0.02);
      }
      for (String method : methods.split(",")) {
        resetPeaks();
        long t = System.nanoTime();
        long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        switch (method) {
          case "svd-values", "svd-full" -> {
            DMatrixRMaj a = toDouble(w, rows, cols);
            boolean vectors = method.equals("svd-full");
            if (!DecompositionFactory_DDRM.svd(rows, cols, vectors, vectors, true).decompose(a)) {
              throw new IllegalStateException("svd failed");
            }
          }
          case "gram-eig-values" -> {
            DMatrixRMaj a = toDouble(w, rows, cols);
            int m = Math.min(rows, cols);
            DMatrixRMaj g = new DMatrixRMaj(m, m);
            if (rows <= cols) {
              CommonOps_DDRM.multOuter(a, g);
            } else {
              CommonOps_DDRM.multInner(a, g);
            }
            a = null;
            if (!DecompositionFactory_DDRM.eig(m, false, true).decompose(g)) {
              throw new IllegalStateException("eig failed");
            }
          }
          case "spectrum" -> MatrixSpectrum.of(w, rows, cols, k);
          case "compare" -> {
            float[] w1 = w.clone();
            for (int i = 0; i < w1.length; i += 3) {
              w1[i] += 1e-3f;
            }
            DynamicsStats s = ParameterDynamics.compare(w, w1, null, rows, cols, new ParameterDynamics.Settings(k, 0.5));
            System.out.printf(Locale.ROOT, "  (sparsity %.4f, drift %.3g, left max angle %.3g)%n",
                s.updateSparsity(), s.spectralDrift(), s.leftAngleMaxOrNaN());
          }
          default -> throw new IllegalArgumentException("unknown method " + method);
        }
        double seconds = (System.nanoTime() - t) / 1e9;
        double cpuSeconds = (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu) / 1e9;
        System.out.printf(Locale.ROOT, "%-16s %5dx%-5d k=%d  wall %8.2f s  cpu %8.2f s  peak heap %5d MB%n", method,
            rows, cols, k, seconds, cpuSeconds, peakHeap() >> 20);
      }
    }
  }

  private static DMatrixRMaj toDouble(float[] w, int rows, int cols) {
    DMatrixRMaj a = new DMatrixRMaj(rows, cols);
    for (int i = 0; i < w.length; i++) {
      a.data[i] = w[i];
    }
    return a;
  }

  private static void resetPeaks() {
    System.gc();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      p.resetPeakUsage();
    }
  }

  private static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }
}
