/** Entry point of the cdk8s validation plugin (`package: ./lib/src/plugin` in cdk8s.yaml). */
export { CiliumPolicyValidation, CiliumPolicyValidationProps } from './validation';
