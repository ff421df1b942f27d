// tfjs-core ships its gradient functions only as ESM sources that Node cannot import
// (extensionless paths); the union package's Node bundle registers all of them with the
// one shared engine. Importing it once, before any tape, is all that is needed.
import '@tensorflow/tfjs';
