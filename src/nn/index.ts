/** Neural-network building blocks: Module, layers, losses, init, functional forms and utils. */
import '../ops/methods.ts';
export { Module, StateDictError, type StateDict, type Member } from './module.ts';
export { Parameter } from './parameter.ts';
export { Sequential } from './sequential.ts';
export { Dense, Linear, type DenseOptions } from './layers/dense.ts';
export { Conv2D, type Conv2DOptions } from './layers/conv.ts';
export { MaxPool2D } from './layers/pool.ts';
export { ReLU, Sigmoid, Tanh, Softmax } from './layers/activation.ts';
export { Flatten } from './layers/flatten.ts';
export { Dropout } from './layers/dropout.ts';
export { MSELoss, CrossEntropyLoss, BCELoss } from './losses.ts';
export * as functional from './functional.ts';
export * as init from './init.ts';
export * as utils from './utils.ts';
