// Teaches Redocly the x-crisp-events map (event name -> {description, schema, example}) so
// that its schemas count as used and are walked like any other schema.
module.exports = function eventsPlugin() {
  return {
    id: 'crisp-events',
    typeExtension: {
      oas3(types) {
        return {
          ...types,
          CrispEvent: {
            properties: { description: { type: 'string' }, schema: 'Schema', example: {} },
            required: ['description', 'schema', 'example'],
          },
          CrispEventMap: { properties: {}, additionalProperties: 'CrispEvent' },
          Root: {
            ...types.Root,
            properties: { ...types.Root.properties, 'x-crisp-events': 'CrispEventMap' },
          },
        };
      },
    },
  };
};
