// A tiny stand-in model for framework tests: a list of op names. The framework is generic over the model type.
export class Toy {
  constructor(public ops: string[]) {}
  clone(): Toy {
    return new Toy([...this.ops]);
  }
}
export const cloneToy = (t: Toy): Toy => t.clone();
