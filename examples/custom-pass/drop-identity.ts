import { definePass, graph as g } from '@trtkit/passes';

/** A custom pass: remove Identity nodes, their readers read the Identity's input instead. */
export const dropIdentity = definePass({
  name: 'dropIdentity',
  description: 'remove Identity nodes',
  apply(model, report) {
    for (const node of model.graph.nodes.filter((n) => n.opType === 'Identity')) {
      const [input, output] = [node.inputs[0], node.outputs[0]];
      if (!input || !output || g.isGraphOutput(model.graph, output)) continue; // graph outputs keep their node
      g.replaceValue(model.graph, output, input);
      g.removeNode(model.graph, node);
      report.removed(node);
    }
  },
});
